import t from 'tap'
import { build, openSession, MCP_HEADERS, KEY_A } from '../helper.js'

t.test('Prometheus text with HTTP, MCP, session and process metrics', async (t) => {
  const { app } = await build(t)
  const id = await openSession(app)
  await app.inject({
    method: 'POST', url: '/mcp',
    headers: { ...MCP_HEADERS, 'x-api-key': KEY_A, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
    payload: { jsonrpc: '2.0', id: 9, method: 'no/such/method' }
  })
  await app.inject({ method: 'POST', url: '/mcp', headers: MCP_HEADERS, payload: {} }) // 401
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.body
  t.match(text, /gateway_http_requests_total\{route="\/mcp",method="POST",status="200"\} [1-9]/)
  t.match(text, /gateway_http_requests_total\{route="\/mcp",method="POST",status="401"\} 1/)
  t.match(text, /gateway_mcp_messages_total\{method="initialize"\} 1/)
  t.match(text, /gateway_mcp_messages_total\{method="other"\} 1/, 'unknown methods are folded into one label')
  t.notMatch(text, /no\/such\/method/)
  t.match(text, /gateway_active_sessions 1/)
  t.match(text, /gateway_http_request_duration_seconds_bucket/)
  t.match(text, /process_cpu_user_seconds_total/)
})

t.test('tool calls, GitHub statuses, quota and ETag hits', async (t) => {
  const { app, github } = await build(t)
  const id = await openSession(app)
  const headers = { ...MCP_HEADERS, 'x-api-key': KEY_A, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }
  const call = (n: number, issue: number) => app.inject({
    method: 'POST', url: '/mcp', headers,
    payload: { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: issue } } }
  })
  await call(1, 1)
  await call(2, 1) // revalidated: 304 from GitHub
  await call(3, 99999) // 404
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(text, /gateway_tool_calls_total\{tool="get_issue",outcome="ok"\} 2/)
  t.match(text, /gateway_tool_calls_total\{tool="get_issue",outcome="error"\} 1/)
  t.match(text, /gateway_tool_call_duration_seconds_count\{tool="get_issue"\} 3/)
  t.match(text, /gateway_github_requests_total\{status="200"\} 1/)
  t.match(text, /gateway_github_requests_total\{status="304"\} 1/)
  t.match(text, /gateway_github_requests_total\{status="404"\} 1/)
  t.match(text, /gateway_github_etag_hits_total 1/)
  t.notMatch(text, /gateway_tool_calls_shared_total\{/, 'one call at a time: nothing shared')

  github.setLatency(300) // the first call's run is still in flight when the others arrive
  await Promise.all([call(4, 2), call(5, 2), call(6, 2)])
  const after = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(after, /gateway_tool_calls_shared_total\{tool="get_issue"\} 2/, 'two joined the first one\'s run')
  t.match(text, /gateway_github_coalesced_total 0/)
  t.match(text, /gateway_github_searches_shared_total 0/)
  t.match(text, /gateway_github_held_total 0/)
  t.match(text, /gateway_github_quota_remaining \d+/)
})

t.test('METRICS_ENABLED=false serves no /metrics', async (t) => {
  const { app } = await build(t, { METRICS_ENABLED: 'false' })
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404)
})

t.test('/metrics needs no key and is not rate limited; refusals are counted', async (t) => {
  const { app } = await build(t, { RATE_LIMIT_MAX: '1', AUTH_FAILURE_MAX: '2' })
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
  const ping = { jsonrpc: '2.0', id: 1, method: 'ping' }
  for (let i = 0; i < 2; i++) await app.inject({ method: 'POST', url: '/mcp', headers: { ...MCP_HEADERS, 'x-api-key': KEY_A }, payload: ping })
  for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/mcp', headers: { ...MCP_HEADERS, 'x-api-key': 'wrong' }, payload: ping, remoteAddress: '10.9.9.9' })
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(text, /gateway_rate_limited_total\{reason="key"\} 1/)
  t.match(text, /gateway_auth_failures_total\{reason="invalid"\} 2/)
  t.match(text, /gateway_rate_limited_total\{reason="auth_failures"\} 1/)
})
