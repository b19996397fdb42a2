import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'
import { createBaseline, type Baseline } from '../../bench/baseline/server.js'
import { RateLimiter } from '../../bench/baseline/rate-limiter.js'
import { API_KEY } from '../../bench/config.js'
import { closeSession, openSession, post } from '../../bench/mcp-http.js'
import { ISSUE_TITLE, SCENARIOS, TOOL_NAMES } from '../../bench/scenarios.js'

// The bench's baseline must be a working seed-design server, or the comparison means nothing.

async function baseline (t: Test, stateless = false): Promise<{ url: string, base: Baseline }> {
  const github = await startGitHubStandin()
  t.teardown(() => github.close())
  const base = createBaseline({
    githubToken: SANDBOX_TOKEN, githubApiUrl: github.url, authKeys: [API_KEY],
    rateLimitMax: 1000, rateLimitWindowMs: 60_000, stateless
  })
  const server = base.app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  t.teardown(async () => {
    await base.closeAll()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, base }
}

async function sdkClient (t: Test, url: string): Promise<Client> {
  const client = new Client({ name: 'bench-test', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { 'X-API-Key': API_KEY } } })
  await client.connect(transport)
  t.teardown(() => client.close())
  return client
}

t.test('the baseline serves an SDK client: initialize, tools/list, get_issue from the stand-in', async (t) => {
  const { url, base } = await baseline(t)
  const client = await sdkClient(t, url)
  t.equal(base.sessions.size, 1, 'one session in the map')
  const { tools } = await client.listTools()
  t.same(tools.map((tool) => tool.name).sort(), [...TOOL_NAMES].sort(), 'the nine tools of CONTRACT.md')
  const getIssue = tools.find((tool) => tool.name === 'get_issue')
  t.same(getIssue?.inputSchema.required?.slice().sort(), ['issue_number', 'owner', 'repo'])

  const result = await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: 1 } })
  t.notOk(result.isError)
  const text = (result.content as Array<{ type: string, text: string }>)[0].text
  t.match(JSON.parse(text), { number: 1, title: ISSUE_TITLE, state: 'open', author: 'bob', labels: ['bug'] })

  const missing = await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: 9999 } })
  t.equal(missing.isError, true, 'a GitHub 404 becomes an error result, as the tutorial did')
})

t.test('the baseline checks the API key and closes sessions on DELETE', async (t) => {
  const { url, base } = await baseline(t)
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  const none = await fetch(`${url}/mcp`, { method: 'POST', headers, body: JSON.stringify(init) })
  t.equal(none.status, 401)
  const wrong = await fetch(`${url}/mcp`, { method: 'POST', headers: { ...headers, 'x-api-key': 'nope' }, body: JSON.stringify(init) })
  t.equal(wrong.status, 403)

  const id = await openSession(url)
  t.equal(base.sessions.size, 1)
  await closeSession(url, id)
  t.equal(base.sessions.size, 0, 'DELETE removes the session from the map')
  const gone = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, id)
  t.equal(gone.status, 400, 'the ended session is refused')
})

t.test('every stateful 2025 bench scenario passes its own check against the baseline', async (t) => {
  const { url } = await baseline(t)
  const session = await openSession(url)
  for (const scenario of SCENARIOS.filter((s) => s.era === '2025' && !s.stateless)) {
    const answer = await post(url, scenario.body, scenario.opensSessions ? undefined : session, !scenario.opensSessions)
    t.equal(answer.status, 200, scenario.id)
    t.equal(scenario.check(answer.messages), undefined, `${scenario.id} answers correctly`)
  }
})

t.test('the stateless baseline answers get_issue without any session', async (t) => {
  const { url, base } = await baseline(t, true)
  const scenario = SCENARIOS.find((s) => s.id === 'stateless_get_issue')!
  const answer = await post(url, scenario.body)
  t.equal(answer.status, 200)
  t.equal(answer.sessionId, undefined, 'no session id')
  t.equal(scenario.check(answer.messages), undefined)
  t.equal(base.sessions.size, 0)
  const get = await fetch(`${url}/mcp`, { headers: { 'x-api-key': API_KEY, accept: 'text/event-stream' } })
  t.equal(get.status, 405)
})

t.test("the seed's RateLimiter is a sliding window per key", async (t) => {
  const limiter = new RateLimiter(2, 60_000)
  t.ok(limiter.isAllowed('a'))
  t.ok(limiter.isAllowed('a'))
  t.notOk(limiter.isAllowed('a'), 'third request in the window refused')
  t.ok(limiter.isAllowed('b'), 'another key has its own budget')
  const expired = new RateLimiter(1, 1)
  t.ok(expired.isAllowed('a'))
  await new Promise((resolve) => setTimeout(resolve, 5))
  t.ok(expired.isAllowed('a'), 'timestamps older than the window no longer count')
})
