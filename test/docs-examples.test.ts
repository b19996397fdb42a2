import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { buildApp } from '../src/app.js'
import { startGitHubStandin } from '../sandbox/github-standin.js'
import { createSeed } from '../sandbox/seed.js'
import { rebaseSeed } from '../sandbox/rebase.js'
import { build, KEY_A, testEnv } from './helper.js'
import { read } from './markdown.js'

// docs/mcp.md says its tool examples are real output against the sandbox. Each example's
// arguments are sent, in the page's order, to the gateway against a fresh sandbox, and the
// text it answers must hold the page's lines, in order (a line with … marks a cut).

// The page was written against the demo's sandbox, whose dates move with the day it starts; this
// is the moment the page's dates come from.
const PAGE_WRITTEN = new Date('2026-11-27T11:44:11Z')

interface Example { tool: string; args: Record<string, unknown>; lines: string[] }

function examples (markdown: string): Example[] {
  const pattern = /^### `(\w+)`\n\n```json\n([\s\S]*?)\n```\n```text\n([\s\S]*?)\n```/gm
  return [...markdown.matchAll(pattern)].map((m) => ({ tool: m[1], args: JSON.parse(m[2]) as Record<string, unknown>, lines: m[3].split('\n') }))
}

/** The documented lines missing from `actual`, in order; a line holding … stands for lines left out. */
function missing (documented: string[], actual: string[]): string[] {
  let at = 0
  const out: string[] = []
  for (const line of documented.filter((l) => !l.includes('…'))) {
    const i = actual.indexOf(line, at)
    if (i < 0) out.push(line)
    else at = i + 1
  }
  return out
}

t.test('every tool has an example in docs/mcp.md, and each gives the output shown', async (t) => {
  const github = await startGitHubStandin({ seed: rebaseSeed(createSeed(), PAGE_WRITTEN) })
  t.teardown(() => github.close())
  const app = await buildApp({ env: testEnv(github) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = new URL(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`)
  const client = new Client({ name: 'docs-examples', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'X-API-Key': KEY_A } } }))
  t.teardown(() => client.close())

  const found = examples(read('docs/mcp.md'))
  const { tools } = await client.listTools()
  t.same(found.map((e) => e.tool).sort(), tools.map((tool) => tool.name).sort(), 'one example per tool')
  for (const e of found) {
    const result = await client.callTool({ name: e.tool, arguments: e.args })
    const text = (result.content as Array<{ type: string; text?: string }>)[0]?.text ?? ''
    t.notOk(result.isError, `${e.tool}: not an error`)
    t.equal(text.split('\n')[0], e.lines[0], `${e.tool}: first line as documented`)
    t.same(missing(e.lines, text.split('\n')), [], `${e.tool}: every documented line, in order`)
  }
})

/** The code span of the table row that starts with `| situation |` (first one after `from`). */
function row (markdown: string, situation: string): string {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${situation} |`))
  const quoted = line === undefined ? undefined : /\| `([^`]+)`[^|]*\|$/.exec(line)?.[1]
  if (quoted === undefined) throw new Error(`no row for ${situation}`)
  return quoted
}

t.test('the instructions and the error sentences are what a client receives', async (t) => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = new URL(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`)
  const client = new Client({ name: 'docs-errors', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'X-API-Key': KEY_A } } }))
  t.teardown(() => client.close())
  const page = read('docs/mcp.md')

  const quote = /\n> (.*)\n> (.*)\n/.exec(page.slice(page.indexOf('sends these `instructions`')))
  t.equal(client.getInstructions(), `${quote?.[1]} ${quote?.[2]}`, 'instructions as quoted')

  const text = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args })
    t.ok(result.isError, `${name} answers isError`)
    return (result.content as Array<{ text?: string }>)[0]?.text
  }
  t.equal(await text('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 9999 }), row(page, '404'))
  t.equal(await text('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 4 }), row(page, 'pull request given as an issue'))

  // Protocol errors: the code, and the message after the "MCP error <code>: " an SDK client adds
  // (that it is added once is the MCP layer's own test).
  const rpc = async (call: Promise<unknown>) => {
    const error = await call.then(() => new Error('no error'), (e: unknown) => e as Error)
    return { code: (error as Error & { code?: number }).code, message: error.message.replace(/^(MCP error -?\d+: )+/, '') }
  }
  t.same(await rpc(client.callTool({ name: 'delete_repo', arguments: {} })), { code: -32602, message: row(page, '`tools/call` | unknown tool name | -32602') })
  t.same(await rpc(client.readResource({ uri: 'issue://octo-org' })), { code: -32602, message: row(page, '`resources/read` | URI matches no template | -32602') })
  t.same(await rpc(client.getPrompt({ name: 'nope' })), { code: -32602, message: row(page, '`prompts/get` | unknown prompt | -32602') })
})

t.test('the example finder reads the page layout', async (t) => {
  const md = '### `get_issue`\n\n```json\n{ "issue_number": 3 }\n```\n```text\n## a title\n…\nmore\n```\n'
  t.same(examples(md), [{ tool: 'get_issue', args: { issue_number: 3 }, lines: ['## a title', '…', 'more'] }])
  t.same(missing(['a', '…', 'c'], ['a', 'b', 'c']), [])
  t.same(missing(['c', 'a'], ['a', 'b', 'c']), ['a'], 'order counts')
})
