// The MUSTs of protocol revision 2026-07-28 on POST /mcp, spoken raw: discovery, the standard
// headers, version refusal, cache hints, per-request logging, progress and cancellation.
// ERA2026_TARGET=reference runs the same tests against the SDK-built reference server.
import t from 'tap'
import {
  HEADER_MISMATCH, LEGACY, LOG_LEVEL, MODERN, SERVER_INFO, UNSUPPORTED_VERSION,
  hangingUpstream, listening, post, referenceRun, rpc, toolCall, widgets, type Message, type Reply,
} from './era-2026-kit.js'
import { until } from '../spawn.js'

const result = (r: Reply) => r.answer?.result ?? {}
const notifications = (r: Reply, method: string) => r.messages.filter((m) => m.method === method)

t.test('server/discover answers the supported versions, capabilities and server identity, without a session', async (t) => {
  const target = await listening(t)
  const res = await post(target, rpc(1, 'server/discover'))
  t.equal(res.status, 200, res.text)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.headers['mcp-session-id'], undefined, 'the modern era has no sessions')
  const discovered = result(res)
  t.ok((discovered.supportedVersions as string[] | undefined)?.includes(MODERN), `supportedVersions ${JSON.stringify(discovered.supportedVersions)} names ${MODERN}`)
  t.match(discovered.capabilities, { tools: {}, resources: {}, prompts: {} })
  t.same((discovered._meta as Record<string, unknown> | undefined)?.[SERVER_INFO], target.serverInfo, 'server identity in result _meta')
  t.equal(discovered.resultType, 'complete', 'a 2026 client rejects a result without resultType')
})

t.test('Mcp-Method, Mcp-Name and MCP-Protocol-Version must agree with the body: 400 with -32020, and nothing runs', async (t) => {
  const target = await listening(t)
  const getIssue = toolCall(2, 'get_issue', { ...widgets, issue_number: 1 })
  const read = rpc(3, 'resources/read', { uri: 'issue://octo-org/widgets/1' })
  const prompt = rpc(4, 'prompts/get', { name: 'triage-issue', arguments: { ...widgets, issue_number: '1' } })
  // Control: with agreeing headers each request is served, so the refusals below are the headers' doing.
  for (const body of [rpc(1, 'tools/list'), getIssue, read, prompt]) {
    const ok = await post(target, body)
    t.equal(ok.status, 200, `${body.method} with agreeing headers: ${ok.text.slice(0, 200)}`)
    t.ok(ok.answer?.result, `${body.method} answered with a result`)
  }
  const asked = target.github.requests.length
  const cases: Array<[string, typeof getIssue, Record<string, string>]> = [
    ['Mcp-Method names another method', rpc(5, 'tools/list'), { 'mcp-method': 'tools/call' }],
    ['Mcp-Name names another tool', toolCall(6, 'get_issue', { ...widgets, issue_number: 2 }), { 'mcp-name': 'create_issue' }],
    ['Mcp-Name names another resource', rpc(7, 'resources/read', { uri: 'issue://octo-org/widgets/2' }), { 'mcp-name': 'issue://octo-org/widgets/1' }],
    ['Mcp-Name names another prompt', rpc(8, 'prompts/get', { name: 'triage-issue', arguments: { ...widgets, issue_number: '2' } }), { 'mcp-name': 'weekly-summary' }],
    ['MCP-Protocol-Version names another revision than the envelope', rpc(9, 'tools/list'), { 'mcp-protocol-version': '2025-11-25' }],
    // A tool call reaches the SDK's entry without being classified first (plainlyModern): its checks hold there too.
    ['MCP-Protocol-Version names another revision than the envelope, on a tool call', toolCall(10, 'get_issue', { ...widgets, issue_number: 2 }), { 'mcp-protocol-version': '2025-11-25' }],
    ['Mcp-Method names another method, on a tool call', toolCall(11, 'get_issue', { ...widgets, issue_number: 2 }), { 'mcp-method': 'resources/read' }],
  ]
  for (const [what, body, headers] of cases) {
    const res = await post(target, body, headers)
    t.equal(res.status, 400, `${what}: status`)
    t.match(res.answer, { id: body.id, error: { code: HEADER_MISMATCH } }, `${what}: ${res.text.slice(0, 200)}`)
  }
  t.equal(target.github.requests.length, asked, 'no refused request reached GitHub')
})

t.test('a missing standard header gets the SDK\'s answer: 400 with -32020', async (t) => {
  const target = await listening(t)
  const cases: Array<[string, ReturnType<typeof rpc>, string]> = [
    ['Mcp-Method on tools/list', rpc(1, 'tools/list'), 'mcp-method'],
    ['MCP-Protocol-Version on tools/list', rpc(2, 'tools/list'), 'mcp-protocol-version'],
    ['Mcp-Name on tools/call', toolCall(3, 'get_issue', { ...widgets, issue_number: 1 }), 'mcp-name'],
    ['Mcp-Name on resources/read', rpc(4, 'resources/read', { uri: 'issue://octo-org/widgets/1' }), 'mcp-name'],
    ['Mcp-Name on prompts/get', rpc(5, 'prompts/get', { name: 'triage-issue', arguments: { ...widgets, issue_number: '1' } }), 'mcp-name'],
  ]
  const asked = target.github.requests.length
  for (const [what, body, header] of cases) {
    const res = await post(target, body, { [header]: undefined })
    t.equal(res.status, 400, `${what}: status`)
    t.match(res.answer, { id: body.id, error: { code: HEADER_MISMATCH } }, `${what}: ${res.text.slice(0, 200)}`)
  }
  t.equal(target.github.requests.length, asked, 'no refused request reached GitHub')
})

t.test('an unsupported protocol version in the envelope: 400 with -32022 listing the supported versions', async (t) => {
  const target = await listening(t)
  // 2025 revisions are reached through initialize, never through a per-request envelope.
  // tools/list is classified by the gateway first, a tool call only by the SDK's entry (plainlyModern).
  for (const method of ['tools/list', 'tools/call']) {
    for (const version of ['2099-01-01', '2026-01-01', '2025-11-25']) {
      const body = method === 'tools/list' ? rpc(1, 'tools/list', {}, {}, version) : rpc(1, 'tools/call', { name: 'get_issue', arguments: { ...widgets, issue_number: 1 } }, {}, version)
      const res = await post(target, body)
      t.equal(res.status, 400, `${method} ${version}: status`)
      t.match(res.answer, { id: 1, error: { code: UNSUPPORTED_VERSION, data: { requested: version } } }, `${method} ${version}: ${res.text.slice(0, 200)}`)
      const supported = res.answer?.error?.data?.supported as string[] | undefined
      t.ok(supported?.includes(MODERN), `${method} ${version}: data.supported ${JSON.stringify(supported)} names ${MODERN}`)
      t.notOk(supported?.includes(version), `${method} ${version}: not listed as supported`)
    }
  }
})

t.test('every list and read result carries ttlMs and cacheScope; tools/list and reads are private', async (t) => {
  const target = await listening(t)
  // The cacheable results of 2026-07-28 (CacheableResult): discovery, the lists, resources/read.
  const cacheable: Array<[ReturnType<typeof rpc>, 'private' | undefined]> = [
    [rpc(1, 'server/discover'), undefined],
    // The gateway's tool list depends on the key's scopes (an issues:read key sees no write tools).
    [rpc(2, 'tools/list'), 'private'],
    [rpc(3, 'prompts/list'), undefined],
    [rpc(4, 'resources/list'), undefined],
    [rpc(5, 'resources/templates/list'), undefined],
    // What a key may read depends on its repository allowlist.
    [rpc(6, 'resources/read', { uri: 'issue://octo-org/widgets/1' }), 'private'],
  ]
  for (const [body, scope] of cacheable) {
    const res = await post(target, body)
    t.equal(res.status, 200, `${body.method}: status`)
    const r = result(res)
    t.equal(r.resultType, 'complete', `${body.method}: resultType`)
    t.ok(Number.isInteger(r.ttlMs) && (r.ttlMs as number) >= 0, `${body.method}: ttlMs ${JSON.stringify(r.ttlMs)} is a non-negative integer`)
    t.ok(r.cacheScope === 'public' || r.cacheScope === 'private', `${body.method}: cacheScope ${JSON.stringify(r.cacheScope)}`)
    if (scope) t.equal(r.cacheScope, scope, `${body.method}: cacheScope must be ${scope}`)
  }
})

t.test('a resources/read miss is -32602 naming the URI (2026 moved resource-not-found off -32002)', async (t) => {
  const target = await listening(t)
  for (const uri of ['issue://octo-org/widgets/99999', 'nothing://here']) {
    const res = await post(target, rpc(1, 'resources/read', { uri }))
    t.match(res.answer, { id: 1, error: { code: -32602, data: { uri } } }, `${uri}: ${res.text.slice(0, 200)}`)
  }
})

t.test('no notifications/message unless the request asks for a log level', async (t) => {
  const target = await listening(t)
  // Issue 1 is labelled (a debug line), #99999 does not exist (a warning).
  const batch = (id: number, meta: Record<string, unknown>) =>
    toolCall(id, 'batch_label_issues', { ...widgets, issue_numbers: [1, 99999], labels: ['triaged'] }, meta)

  const quiet = await post(target, batch(1, {}))
  t.equal(quiet.status, 200)
  t.ok(quiet.answer?.result, 'answered')
  t.same(notifications(quiet, 'notifications/message'), [], 'no logLevel in _meta: no log notifications')
  t.match(quiet.headers['content-type'], /^application\/json/, 'nothing to stream: a JSON answer')

  const chatty = await post(target, batch(2, { [LOG_LEVEL]: 'debug' }))
  t.equal(chatty.status, 200)
  t.match(chatty.headers['content-type'], /^text\/event-stream/)
  const logs = notifications(chatty, 'notifications/message').map((m) => m.params as { level: string, data: unknown })
  // Issues are labelled concurrently: the two lines may come in either order.
  t.ok(logs.some((l) => l.level === 'debug' && /#1 labelled/.test(String(l.data))), `a debug line for #1: ${JSON.stringify(logs)}`)
  t.ok(logs.some((l) => l.level === 'warning' && /#99999: not found/.test(String(l.data))), `a warning for #99999: ${JSON.stringify(logs)}`)
  t.equal(chatty.messages.at(-1)?.id, 2, 'the answer comes last')

  const warnings = await post(target, batch(3, { [LOG_LEVEL]: 'warning' }))
  t.match(notifications(warnings, 'notifications/message').map((m) => m.params), [{ level: 'warning', data: /#99999: not found/ }])
  t.equal(notifications(warnings, 'notifications/message').length, 1, 'debug lines filtered at warning')

  const errorsOnly = await post(target, batch(4, { [LOG_LEVEL]: 'error' }))
  t.same(notifications(errorsOnly, 'notifications/message'), [], 'nothing at error level')
})

t.test('progress streams for batch_label_issues when the request carries a progressToken', async (t) => {
  const target = await listening(t)
  const args = { ...widgets, issue_numbers: [1, 2, 3], labels: ['triaged'] }
  const res = await post(target, toolCall(1, 'batch_label_issues', args, { progressToken: 'p-2026' }))
  t.equal(res.status, 200)
  t.match(res.headers['content-type'], /^text\/event-stream/, 'progress upgrades the answer to SSE')
  const progress = notifications(res, 'notifications/progress').map((m) => m.params as { progressToken: unknown, progress: number, total?: number })
  t.ok(progress.length > 0, 'progress notifications arrived')
  t.ok(progress.every((p) => p.progressToken === 'p-2026'), 'each carries the request\'s token')
  t.ok(progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress), `progress increases: ${JSON.stringify(progress)}`)
  t.equal(progress.at(-1)?.progress, 3)
  t.match(res.messages.at(-1), { id: 1, result: { content: [{ type: 'text' }] } }, 'the answer comes last')
  t.notOk(res.answer?.result?.isError)

  const plain = await post(target, toolCall(2, 'batch_label_issues', { ...args, labels: ['again'] }))
  t.same(notifications(plain, 'notifications/progress'), [], 'no token, no progress')
})

t.test('closing the response stream cancels the call and aborts its upstream request', async (t) => {
  const upstream = await hangingUpstream(t)
  const target = await listening(t, { githubUrl: upstream.url })
  const controller = new AbortController()
  const call = post(target, toolCall(1, 'get_issue', { ...widgets, issue_number: 1 }), {}, controller.signal)
    .then((r): Message | Error => r.answer ?? new Error(`answered without a response: ${r.text}`), (e: unknown) => e as Error)
  await upstream.until('arrived', 1)
  controller.abort()
  t.match(await call, { name: 'AbortError' }, 'the client gave up on its own stream')
  await upstream.until('aborted', 1)
  t.pass('the upstream request was aborted')
  const app = target.app
  if (app) {
    // Nothing of the cancelled call is left in flight to hold up a drain.
    await until(() => app.lifecycle.inFlight === 0, 'in-flight count back to 0')
    t.equal(app.lifecycle.inFlight, 0)
  }
})
