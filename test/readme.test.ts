import t from 'tap'
import { readFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'

// Every snippet a reader may paste: JSON blocks must parse, shell blocks must be valid bash.
const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
const blocks = (lang: string) => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1])

t.test('JSON snippets parse', async (t) => {
  const json = blocks('json')
  t.ok(json.length >= 10, `${json.length} JSON blocks`)
  for (const block of json) t.doesNotThrow(() => JSON.parse(block), block.slice(0, 60))
})

t.test('client configs have the key header and the MCP URL', async (t) => {
  const configs = blocks('json').map((b) => JSON.parse(b)).filter((c) => c.mcpServers ?? c.servers)
  t.ok(configs.length >= 3, 'Claude Desktop, VS Code, Cursor')
  for (const c of configs) t.match(JSON.stringify(c), /X-API-Key/)
})

t.test('shell snippets are valid bash', async (t) => {
  const sh = blocks('sh')
  t.ok(sh.length >= 5, `${sh.length} shell blocks`)
  for (const block of sh) t.doesNotThrow(() => execFileSync('bash', ['-n'], { input: block }), block.slice(0, 60))
})
