import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { anchors, blocks, docFiles, links, read, ROOT } from './markdown.js'

// Every snippet in README.md and docs/*.md that a reader may paste is checked here: JSON parses,
// shell is valid bash, and links between the docs land on a file and a heading that exist.
// TypeScript snippets are type-checked and run in test/readme.test.ts.

// Languages a block may be fenced as. A snippet in any other language (```bash, ```js) would
// escape these checks, so it fails instead.
const TESTED = new Set(['json', 'sh', 'ts'])
const UNTESTED = new Set(['text']) // output a reader reads, not input they paste

const files = docFiles()

/** The error message of `fn`, or undefined when it does not throw: failures name the snippet. */
function problem (fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()
  }
}

t.test('the docs are README.md plus the reference in docs/', async (t) => {
  for (const f of ['docs/mcp.md', 'docs/security.md', 'docs/operations.md', 'docs/architecture.md']) {
    t.ok(files.includes(f), f)
  }
})

t.test('every fenced block names a language the tests know', async (t) => {
  for (const file of files) {
    for (const b of blocks(read(file))) {
      t.ok(TESTED.has(b.lang) || UNTESTED.has(b.lang), `${file}:${b.line} is fenced as "${b.lang}"`)
    }
  }
})

t.test('JSON snippets parse', async (t) => {
  let count = 0
  for (const file of files) {
    for (const b of blocks(read(file)).filter((b) => b.lang === 'json')) {
      count++
      t.equal(problem(() => JSON.parse(b.code)), undefined, `${file}:${b.line} parses`)
    }
  }
  t.ok(count >= 15, `${count} JSON snippets`)
})

t.test('shell snippets are valid bash', async (t) => {
  let count = 0
  for (const file of files) {
    for (const b of blocks(read(file)).filter((b) => b.lang === 'sh')) {
      count++
      const error = problem(() => execFileSync('bash', ['-n'], { input: b.code, stdio: ['pipe', 'ignore', 'pipe'] }))
      t.equal(error, undefined, `${file}:${b.line} is valid bash`)
    }
  }
  t.ok(count >= 10, `${count} shell snippets`)
})

t.test('links between the docs resolve to a file and a heading', async (t) => {
  let count = 0
  for (const file of files) {
    const base = new URL(file, ROOT)
    for (const { target, line } of links(read(file))) {
      if (/^[a-z]+:/i.test(target)) continue // https:, mailto: … are not ours to check offline
      count++
      const [path, anchor] = target.split('#') as [string, string | undefined]
      const url = path === '' ? base : new URL(path, base)
      const relative = url.pathname.slice(ROOT.pathname.length)
      if (!t.ok(existsSync(url), `${file}:${line} → ${relative} exists`)) continue
      if (anchor !== undefined) t.ok(anchors(read(relative)).has(anchor), `${file}:${line} → ${relative}#${anchor}`)
    }
  }
  t.ok(count >= 30, `${count} links`)
})

t.test('every reference page is linked from the README', async (t) => {
  const targets = new Set(links(read('README.md')).map((l) => l.target.split('#')[0]))
  for (const f of files.filter((f) => f.startsWith('docs/'))) t.ok(targets.has(f), f)
})

t.test('the markdown helpers see structure, not code', async (t) => {
  const md = '# A title\n\n```text\n## not a heading\n[not](a-link.md)\n```\n\n## Origin and Host: `x` rebinding\n## Twice\n## Twice\nsee [y](#twice-1) and `[z](nope.md)`\n'
  t.same([...anchors(md)], ['a-title', 'origin-and-host-x-rebinding', 'twice', 'twice-1'])
  t.same(links(md).map((l) => l.target), ['#twice-1'])
  t.same(blocks(md).map((b) => [b.lang, b.code]), [['text', '## not a heading\n[not](a-link.md)\n']])
  const indented = '1. step\n\n   ```sh\n   echo hi\n   ```\n'
  t.same(blocks(indented).map((b) => b.code), ['echo hi\n'])
  t.throws(() => blocks('```sh\necho\n'), /unclosed/)
})
