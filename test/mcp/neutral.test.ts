// src/mcp/ is a generic MCP layer: a domain plugs into it through the catalog, never the reverse.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'

const dir = new URL('../../src/mcp/', import.meta.url)
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))

t.test('src/mcp/ imports nothing from a domain or from auth', async (t) => {
  t.ok(files.length > 10, `${files.length} files checked`)
  for (const file of files) {
    const imports = [...readFileSync(new URL(file, dir), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1])
    t.same(imports.filter((i) => /\/(github|auth)\//.test(i) || i.startsWith('../github') || i.startsWith('../auth')), [], file)
  }
})

t.test('src/mcp/ names no GitHub concept', async (t) => {
  // Words that would mean the layer knows its domain: the host, its scopes, its arguments.
  const words = /github|octokit|issues?:(read|write)|\bowner\b|\brepo(s|sitory)?\b/i
  for (const file of files) {
    const lines = readFileSync(new URL(file, dir), 'utf8').split('\n')
    const hits = lines.map((line, i) => `${i + 1}: ${line.trim()}`).filter((line) => words.test(line))
    t.same(hits, [], file)
  }
})
