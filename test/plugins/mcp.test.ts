import t from 'tap'
import { build, openSession, initializeBody, sseMessages, MCP_HEADERS, KEY_A, KEY_B } from '../helper.js'

const auth = (key = KEY_A) => ({ ...MCP_HEADERS, 'x-api-key': key })
const inSession = (id: string, key = KEY_A) => ({ ...auth(key), 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' })
const noBody = (id: string, key = KEY_A) => { const { 'content-type': _, ...rest } = inSession(id, key); return rest }
const call = (id: number, name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) =>
  ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta && { _meta: meta }) } })

t.test('initialize opens a session and answers JSON', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: auth(), payload: initializeBody() })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.match(res.headers['mcp-session-id'], /^[0-9a-f-]{36}$/)
  const body = res.json()
  t.equal(body.id, 1)
  t.equal(body.result.protocolVersion, '2025-11-25')
  t.ok(body.result.capabilities.tools)
  t.equal(app.sessions.size, 1)
})

t.test('requests in a session; notifications get 202', async (t) => {
  const { app } = await build(t)
  const id = await openSession(app)
  const note = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: { jsonrpc: '2.0', method: 'notifications/initialized' } })
  t.equal(note.statusCode, 202)
  t.equal(note.body, '')
  const list = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: { jsonrpc: '2.0', id: 2, method: 'tools/list' } })
  t.equal(list.statusCode, 200)
  t.equal(list.headers['mcp-session-id'], id)
  t.ok(list.json().result.tools.some((tool: { name: string }) => tool.name === 'get_issue'))
  const got = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: call(3, 'get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 }) })
  t.equal(got.statusCode, 200)
  t.notOk(got.json().result.isError)
})

t.test('batches: answered with an array under 2025-03-26, refused from 2025-06-18 on', async (t) => {
  const { app } = await build(t)
  const id = await openSession(app)
  const pair = [{ jsonrpc: '2.0', id: 10, method: 'ping' }, { jsonrpc: '2.0', id: 11, method: 'tools/list' }]
  const old = { ...inSession(id), 'mcp-protocol-version': '2025-03-26' }
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: old, payload: pair })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.ok(Array.isArray(body))
  t.same(body.map((m: { id: number }) => m.id).sort(), [10, 11])
  const current = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: pair })
  t.equal(current.statusCode, 400)
  t.match(current.json().error.message, /batches are not supported/)
  const dup = await app.inject({ method: 'POST', url: '/mcp', headers: old, payload: [pair[0], { ...pair[1], id: 10 }] })
  t.equal(dup.statusCode, 400)
  t.match(dup.json().error.message, /share an id/)
})

t.test('progress upgrades the response to SSE on the request stream', async (t) => {
  const { app } = await build(t)
  const id = await openSession(app)
  const res = await app.inject({
    method: 'POST', url: '/mcp', headers: inSession(id),
    payload: call(5, 'batch_label_issues', { owner: 'octo-org', repo: 'widgets', issue_numbers: [1, 2], labels: ['triaged'] }, { progressToken: 'p1' })
  })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/event-stream/)
  const messages = sseMessages(res.body) as Array<{ method?: string, id?: number, params?: { progressToken?: string } }>
  t.ok(messages.some((m) => m.method === 'notifications/progress' && m.params?.progressToken === 'p1'), 'progress notification')
  t.equal(messages.at(-1)?.id, 5, 'the response comes last')
})

t.test('session errors: 400 without id, 404 unknown, 404 for another key', async (t) => {
  const { app } = await build(t)
  const id = await openSession(app, KEY_A)
  const ping = { jsonrpc: '2.0', id: 1, method: 'ping' }
  const missing = await app.inject({ method: 'POST', url: '/mcp', headers: auth(), payload: ping })
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().error.code, -32000)
  const unknown = await app.inject({ method: 'POST', url: '/mcp', headers: inSession('nope'), payload: ping })
  t.equal(unknown.statusCode, 404)
  const stolen = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id, KEY_B), payload: ping })
  t.equal(stolen.statusCode, 404, 'a session belongs to the key that opened it')
  const own = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id, KEY_A), payload: ping })
  t.equal(own.statusCode, 200)
})

t.test('DELETE ends a session; later use is 404', async (t) => {
  const { app } = await build(t)
  const id = await openSession(app)
  const del = await app.inject({ method: 'DELETE', url: '/mcp', headers: noBody(id) })
  t.equal(del.statusCode, 204)
  t.equal(app.sessions.size, 0)
  const after = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: { jsonrpc: '2.0', id: 1, method: 'ping' } })
  t.equal(after.statusCode, 404)
  const again = await app.inject({ method: 'DELETE', url: '/mcp', headers: noBody(id) })
  t.equal(again.statusCode, 404)
})

t.test('HTTP-level refusals', async (t) => {
  const { app } = await build(t, { BODY_LIMIT_BYTES: '2048' })
  const id = await openSession(app)
  const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })

  const malformed = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: '{"jsonrpc":' })
  t.equal(malformed.statusCode, 400)
  t.same(malformed.json().error.code, -32700)
  const notRpc = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: { hello: 'world' } })
  t.equal(notRpc.statusCode, 400)
  t.equal(notRpc.json().error.code, -32600)
  const big = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(4096) } }) })
  t.equal(big.statusCode, 413)
  const text = await app.inject({ method: 'POST', url: '/mcp', headers: { ...inSession(id), 'content-type': 'text/plain' }, payload: ping })
  t.equal(text.statusCode, 415)
  const accept = await app.inject({ method: 'POST', url: '/mcp', headers: { ...inSession(id), accept: 'application/json' }, payload: ping })
  t.equal(accept.statusCode, 406)
  const version = await app.inject({ method: 'POST', url: '/mcp', headers: { ...inSession(id), 'mcp-protocol-version': '1999-01-01' }, payload: ping })
  t.equal(version.statusCode, 400)
  t.match(version.json().error.message, /Unsupported MCP-Protocol-Version/)
  const twoInits = await app.inject({ method: 'POST', url: '/mcp', headers: auth(), payload: [initializeBody(1), initializeBody(2)] })
  t.equal(twoInits.statusCode, 400)
  const getAccept = await app.inject({ method: 'GET', url: '/mcp', headers: { ...inSession(id), accept: 'application/json' } })
  t.equal(getAccept.statusCode, 406)
})

t.test('a refused initialize leaves no session behind', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: auth(), payload: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { bogus: true } } })
  t.ok(res.statusCode === 200 || res.statusCode === 400)
  t.ok(res.json().error, 'answered with a JSON-RPC error')
  t.equal(res.headers['mcp-session-id'], undefined, 'no session id is handed out')
  t.equal(app.sessions.size, 0)
})

t.test('session limits: per key 429, per server 503', async (t) => {
  const { app } = await build(t, { MAX_SESSIONS_PER_KEY: '2', MAX_SESSIONS: '3' })
  await openSession(app, KEY_A)
  await openSession(app, KEY_A)
  const third = await app.inject({ method: 'POST', url: '/mcp', headers: auth(KEY_A), payload: initializeBody() })
  t.equal(third.statusCode, 429)
  t.ok(third.headers['retry-after'])
  await openSession(app, KEY_B)
  const full = await app.inject({ method: 'POST', url: '/mcp', headers: auth(KEY_B), payload: initializeBody() })
  t.equal(full.statusCode, 503)
})

t.test('idle sessions expire and free their slot', async (t) => {
  const { app } = await build(t, { SESSION_IDLE_TTL_MS: '1000' })
  await openSession(app)
  t.equal(app.sessions.size, 1)
  app.sessions.sweep(Date.now() + 1500)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(app.sessions.size, 0)
})

t.test('shutting down refuses new sessions with 503', async (t) => {
  const { app } = await build(t)
  const id = await openSession(app)
  app.lifecycle.beginShutdown()
  const init = await app.inject({ method: 'POST', url: '/mcp', headers: auth(), payload: initializeBody() })
  t.equal(init.statusCode, 503)
  const existing = await app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: { jsonrpc: '2.0', id: 1, method: 'ping' } })
  t.equal(existing.statusCode, 200, 'existing sessions keep working while draining')
})

t.test('stateless mode: POST only, no session id, GET/DELETE 405', async (t) => {
  const { app } = await build(t, { MCP_STATELESS: 'true' })
  const init = await app.inject({ method: 'POST', url: '/mcp', headers: auth(), payload: initializeBody() })
  t.equal(init.statusCode, 200)
  t.equal(init.headers['mcp-session-id'], undefined)
  const list = await app.inject({ method: 'POST', url: '/mcp', headers: { ...auth(), 'mcp-protocol-version': '2025-11-25' }, payload: { jsonrpc: '2.0', id: 2, method: 'tools/list' } })
  t.equal(list.statusCode, 200)
  t.ok(list.json().result.tools.length > 0)
  t.equal((await app.inject({ method: 'GET', url: '/mcp', headers: auth() })).statusCode, 405)
  t.equal((await app.inject({ method: 'DELETE', url: '/mcp', headers: auth() })).statusCode, 405)
  t.equal(app.sessions.size, 0)
})

t.test('close() closes every session', async (t) => {
  const { app } = await build(t)
  await openSession(app)
  await openSession(app)
  t.equal(app.sessions.size, 2)
  await app.close()
  t.equal(app.sessions.size, 0)
})

/**
 * A get_issue call (request `requestId`) that GitHub is slow to answer; resolves with its pending
 * response (wrapped: an async function would wait for it) once the session holds the request, so
 * what the test sends next meets it in flight.
 */
async function slowCall (app: Awaited<ReturnType<typeof build>>['app'], github: Awaited<ReturnType<typeof build>>['github'], id: string, requestId: number) {
  github.setLatency(300)
  const pending = app.inject({ method: 'POST', url: '/mcp', headers: inSession(id), payload: call(requestId, 'get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 }) })
  const session = app.sessions.get(id, app.authKeys.verify(KEY_A)!.id)!
  while (!session.transport.hasRequest(requestId)) await new Promise((resolve) => setImmediate(resolve))
  return { response: pending }
}

t.test('a cancelled request ends its POST (the SDK sends no response for it)', async (t) => {
  const { app, github } = await build(t)
  const id = await openSession(app)
  const slow = (await slowCall(app, github, id, 5)).response
  const cancel = await app.inject({
    method: 'POST', url: '/mcp', headers: inSession(id),
    payload: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5, reason: 'user gave up' } }
  })
  t.equal(cancel.statusCode, 202)
  const res = await slow
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/event-stream/)
  t.same(sseMessages(res.body), [], 'an empty stream: no response to a cancelled request')
  t.equal(app.lifecycle.inFlight, 0)
  app.sessions.sweep(Date.now() + 10 * 3_600_000)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(app.sessions.size, 0, 'the session is idle again, so it can expire')
})

t.test('ending a session answers its unfinished requests with an error', async (t) => {
  const { app, github } = await build(t)
  const id = await openSession(app)
  const slow = (await slowCall(app, github, id, 7)).response
  t.equal((await app.inject({ method: 'DELETE', url: '/mcp', headers: noBody(id) })).statusCode, 204)
  const res = await slow
  t.equal(res.statusCode, 200)
  t.match(res.json(), { id: 7, error: { code: -32000, message: 'Session closed before the request completed' } })
})
