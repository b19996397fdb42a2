// 2026 list answers remembered (src/mcp/modern-lists.ts): an identical request gets the SDK's
// earlier answer under its own id, and nothing the SDK would refuse is ever answered from memory.
import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build, KEY_A } from '../helper.js'
import { WRITE_TOOLS, inject, rpc, type Reply } from './era-2026-kit.js'
import { ModernLists } from '../../src/mcp/modern-lists.js'

const READER = 'modern-lists-reader-key-0123456789'
const WRITER = 'modern-lists-writer-key-0123456789'
const toolNames = (r: Reply) => ((r.answer?.result?.tools ?? []) as Array<{ name: string }>).map((tool) => tool.name)

function keyFile (t: Test): string {
  const path = join(t.testdir(), 'keys.json')
  writeFileSync(path, JSON.stringify({ keys: [{ name: 'reader', key: READER, scopes: ['issues:read'] }, { name: 'writer', key: WRITER }] }))
  return path
}

t.test('a repeated tools/list gets the same result under its own id', async (t) => {
  const { app } = await build(t)
  const a = await inject(app, rpc('a', 'tools/list'), { 'x-api-key': KEY_A })
  const b = await inject(app, rpc(7, 'tools/list'), { 'x-api-key': KEY_A })
  t.equal(a.status, 200)
  t.equal(b.status, 200)
  t.equal(b.answer?.id, 7, 'the second answer carries its own id')
  t.same(b.answer?.result, a.answer?.result, 'and the same result')
  t.equal(b.headers['content-type'], a.headers['content-type'])
})

t.test('a request the SDK would refuse is refused even after an identical valid one', async (t) => {
  const { app } = await build(t)
  const key = { 'x-api-key': KEY_A }
  t.equal((await inject(app, rpc(1, 'tools/list'), key)).status, 200)
  const noMethod = await inject(app, rpc(2, 'tools/list'), { ...key, 'mcp-method': undefined })
  t.equal(noMethod.status, 400, 'without Mcp-Method: refused')
  const noVersion = await inject(app, rpc(3, 'tools/list'), { ...key, 'mcp-protocol-version': undefined })
  t.equal(noVersion.status, 400, 'without MCP-Protocol-Version: refused')
  const badEnvelope = rpc(4, 'tools/list', {}, { 'io.modelcontextprotocol/clientCapabilities': 'not an object' })
  const refused = await inject(app, badEnvelope, key)
  t.not(refused.answer?.result !== undefined && refused.status === 200, true, `an envelope the SDK rejects is not answered from memory (${refused.status} ${refused.text.slice(0, 120)})`)
})

t.test('a read-only key never gets the list remembered for a full key, nor the reverse', async (t) => {
  const { app } = await build(t, { AUTH_KEYS_FILE: keyFile(t) })
  for (let round = 0; round < 2; round++) {
    const full = toolNames(await inject(app, rpc(1, 'tools/list'), { 'x-api-key': WRITER }))
    const read = toolNames(await inject(app, rpc(2, 'tools/list'), { 'x-api-key': READER }))
    for (const tool of WRITE_TOOLS) {
      t.ok(full.includes(tool), `round ${round}: the full key lists ${tool}`)
      t.notOk(read.includes(tool), `round ${round}: the read-only key does not`)
    }
  }
})

t.test('only a 200 JSON result is remembered, and only for list methods', async (t) => {
  const lists = new ModernLists()
  const request = { headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' } } as never
  const route = (method: string) => ({ kind: 'modern', messageKind: 'request', message: { jsonrpc: '2.0', id: 1, method, params: {} } }) as never
  t.equal(lists.keyOf(request, route('tools/call'), 3), undefined, 'a tool call is never remembered')
  const key = lists.keyOf(request, route('tools/list'), 3)!
  t.not(lists.keyOf(request, route('tools/list'), 1), key, 'another list variant, another key')
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  lists.remember(key, json(400, { jsonrpc: '2.0', id: 1, error: { code: -32020, message: 'no' } }), Buffer.from('{"error":{}}'))
  lists.remember(key, json(200, {}), Buffer.from('{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"x"}}'))
  t.equal(lists.size, 0, 'neither a refusal nor a 200 error is kept')
  lists.remember(key, json(200, {}), Buffer.from('{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}'))
  t.equal(lists.size, 1)
  let sent = ''
  const reply = { header: () => reply, code: () => reply, send: (body: Buffer) => { sent = body.toString(); return reply } } as never
  t.equal(lists.answer(key, 'x', reply), true)
  t.same(JSON.parse(sent), { jsonrpc: '2.0', id: 'x', result: { tools: [] } })
})
