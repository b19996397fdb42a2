import t from 'tap'
import { accepts, parseMessages, shapeProblem, unsupportedVersion, MAX_DEPTH, MAX_ARRAY } from '../../src/mcp/http.js'

t.test('Accept matching', async (t) => {
  t.ok(accepts('application/json, text/event-stream', 'text/event-stream'))
  t.ok(accepts('text/event-stream;q=0.9, application/json', 'application/json'))
  t.ok(accepts('*/*', 'application/json'))
  t.ok(accepts('text/*', 'text/event-stream'))
  t.notOk(accepts('application/json', 'text/event-stream'))
  t.notOk(accepts(undefined, 'application/json'))
})

t.test('protocol version header', async (t) => {
  t.equal(unsupportedVersion(undefined), undefined, 'absent means the 2025-03-26 default')
  t.equal(unsupportedVersion('2025-06-18'), undefined)
  t.equal(unsupportedVersion('2025-11-25'), undefined)
  t.match(unsupportedVersion('2030-01-01'), /Unsupported MCP-Protocol-Version: 2030-01-01/)
})

t.test('message parsing and shape bounds', async (t) => {
  const ping = { jsonrpc: '2.0', id: 1, method: 'ping' }
  t.match(parseMessages(ping), { ok: true, batch: false })
  t.match(parseMessages([ping, { jsonrpc: '2.0', method: 'notifications/initialized' }]), { ok: true, batch: true })
  t.match(parseMessages([]), { ok: false, message: /empty batch/ })
  t.match(parseMessages(Array(101).fill(ping)), { ok: false, message: /at most 100/ })
  t.match(parseMessages({ id: 1, method: 'ping' }), { ok: false, message: /not a JSON-RPC 2.0 message/ })
  t.match(parseMessages('ping'), { ok: false })

  let deep: unknown = 'x'
  for (let i = 0; i < MAX_DEPTH + 5; i++) deep = { a: deep }
  t.match(shapeProblem(deep), /nested deeper/)
  t.match(parseMessages({ ...ping, params: { deep } }), { ok: false, message: /nested deeper/ })
  t.match(parseMessages({ ...ping, params: { list: Array(MAX_ARRAY + 1).fill(0) } }), { ok: false, message: /array longer/ })
  let ok: unknown = 'x'
  for (let i = 0; i < 10; i++) ok = [ok]
  t.equal(shapeProblem({ ok, list: Array(MAX_ARRAY).fill(1) }), undefined)
})

t.test('the JSON-RPC envelope check', async (t) => {
  const good = [
    { jsonrpc: '2.0', id: 1, method: 'ping' },
    { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'x' } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 3, result: {} },
    { jsonrpc: '2.0', id: 4, error: { code: -32601, message: 'nope' } }
  ]
  const bad = [
    null, [], 'x', { id: 1, method: 'ping' }, { jsonrpc: '1.0', id: 1, method: 'ping' },
    { jsonrpc: '2.0', id: null, method: 'ping' }, { jsonrpc: '2.0', id: {}, method: 'ping' },
    { jsonrpc: '2.0', id: 1, method: 7 }, { jsonrpc: '2.0', id: 1, method: 'x', params: [1] },
    { jsonrpc: '2.0', id: 1 }, { jsonrpc: '2.0', id: 1, result: 5 }, { jsonrpc: '2.0', result: {} },
    { jsonrpc: '2.0', id: 1, error: { code: 'x', message: 'm' } }, { jsonrpc: '2.0', id: 1, error: { code: 1.5, message: 'm' } },
    { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'm' } }, { jsonrpc: '2.0', id: Infinity, method: 'ping' },
    // The SDK ignores these without answering, so they must be refused here (found by the fuzz test).
    { jsonrpc: '2.0', id: 1, method: 'ping', extra: true }, { jsonrpc: '2.0', method: 'notifications/x', extra: 1 },
    { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: 5 } }
  ]
  for (const m of good) t.ok(parseMessages(m).ok, JSON.stringify(m))
  for (const m of bad) t.notOk(parseMessages(m).ok, JSON.stringify(m))
})
