import t from 'tap'
import { readFile } from 'node:fs/promises'
import { schemaJson, configTable, withTable } from '../scripts/gen-docs.js'

// The committed schema file and the README's table are generated; stale copies fail here.
t.test('.env.schema.json matches the TypeBox schema', async (t) => {
  const committed = await readFile(new URL('../.env.schema.json', import.meta.url), 'utf8')
  t.equal(committed, schemaJson(), 'run npm run gen:docs')
})

t.test('README configuration table is current and lists every variable', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  const schema = JSON.parse(schemaJson())
  t.equal(readme, withTable(readme, configTable(schema)), 'run npm run gen:docs')
  for (const name of Object.keys(schema.properties)) t.match(readme, `| \`${name}\` |`)
})
