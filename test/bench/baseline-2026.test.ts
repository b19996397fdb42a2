import t, { type Test } from 'tap'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { startGitHubStandin } from '../../sandbox/github-standin.js'
import { failures, fire } from '../../bench/cannon.js'
import { API_KEY, serverEnv } from '../../bench/config.js'
import { modernRequest, openSession, post, requestHeaders, type RpcAnswer } from '../../bench/mcp-http.js'
import { startChild } from '../../bench/procs.js'
import { ISSUE_TITLE, SCENARIOS, TOOL_NAMES } from '../../bench/scenarios.js'
import { listenBaseline, listenBaseline2026 } from './baseline-server.js'

// The 2026 rows mean something only if the 2026 baseline really serves 2026-07-28 (a real v2
// client pinned to that revision works against it), serves what the 2025 baseline serves, and
// the bench's hand-built requests are the ones that client sends.

const scenarios2026 = SCENARIOS.filter((s) => s.era === '2026' && s.experiment === undefined)

async function standin (t: Test): Promise<string> {
  const github = await startGitHubStandin()
  t.teardown(() => github.close())
  return github.url
}

const resultOf = (answer: RpcAnswer) => (answer.messages[0] as unknown as { result: Record<string, unknown> }).result

interface Sent { headers: Record<string, string>, body: { method: string, params: Record<string, unknown> } }

/** A v2 client pinned to 2026-07-28, recording every POST it makes. */
async function pinnedClient (t: Test, url: string): Promise<{ client: Client, sent: Sent[] }> {
  const sent: Sent[] = []
  const spy: typeof fetch = async (input, init) => {
    if (init?.method === 'POST') sent.push({ headers: Object.fromEntries(new Headers(init.headers).entries()), body: JSON.parse(String(init.body)) })
    return fetch(input, init)
  }
  const client = new Client({ name: 'bench', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { fetch: spy, requestInit: { headers: { 'x-api-key': API_KEY } } }))
  t.teardown(() => client.close())
  return { client, sent }
}

t.test('a v2 client pinned to 2026-07-28 lists the nine tools and reads an issue through the 2026 baseline', async (t) => {
  const { url } = await listenBaseline2026(t, await standin(t))
  const { client } = await pinnedClient(t, url)
  t.equal(client.getProtocolEra(), 'modern', 'connected in the 2026 era, no initialize')
  const { tools } = await client.listTools()
  t.same(tools.map((tool) => tool.name).sort(), [...TOOL_NAMES].sort())
  const result = await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: 1 } })
  t.notOk(result.isError)
  t.match(JSON.parse((result.content as Array<{ text: string }>)[0].text), { number: 1, title: ISSUE_TITLE, author: 'bob' })
  const missing = await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: 9999 } })
  t.equal(missing.isError, true, 'a GitHub 404 is an error result, as in the 2025 baseline')
})

t.test('the bench sends what the v2 client sends: headers from the body, the _meta envelope', async (t) => {
  const { url } = await listenBaseline2026(t, await standin(t))
  const { client, sent } = await pinnedClient(t, url)
  await client.listTools()
  await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: 1 } })
  const bench = [modernRequest(3, 'tools/list'), modernRequest(2, 'tools/call', { name: 'get_issue', arguments: {} })]
  for (const ours of bench) {
    const theirs = sent.find((s) => s.body.method === ours.method)
    t.ok(theirs, `the client sent ${ours.method}`)
    const protocol = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id']
    const pick = (h: Record<string, string>) => Object.fromEntries(protocol.filter((k) => k in h).map((k) => [k, h[k]]))
    t.same(pick(requestHeaders(ours)), pick(theirs!.headers), `${ours.method}: the same protocol headers`)
    t.same(ours.params._meta, theirs!.body.params._meta, `${ours.method}: the same envelope`)
  }
  t.equal(requestHeaders(bench[1])['mcp-name'], 'get_issue')
  t.notOk('mcp-name' in requestHeaders(bench[0]), 'no Mcp-Name where the body has no name')
})

t.test('the 2026 baseline serves what the 2025 baseline serves', async (t) => {
  const github = await standin(t)
  const v2026 = await listenBaseline2026(t, github)
  const v2025 = await listenBaseline(t, github)
  const session = await openSession(v2025.url)
  type Tool = { name: string, description: string, inputSchema: { properties: object, required?: string[] } }
  const list = async (answer: Promise<RpcAnswer>) => (resultOf(await answer).tools as Tool[])
    .map((tool) => ({ name: tool.name, description: tool.description, properties: Object.keys(tool.inputSchema.properties), required: tool.inputSchema.required }))
  t.same(await list(post(v2026.url, modernRequest(3, 'tools/list'))), await list(post(v2025.url, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, session)),
    'the same tools, descriptions, arguments and required arguments')
  for (const issue of [1, 2]) {
    const params = { name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: issue } }
    t.same(resultOf(await post(v2026.url, modernRequest(2, 'tools/call', params))).content,
      resultOf(await post(v2025.url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params }, session)).content, `get_issue #${issue}: the same text`)
  }
})

t.test('every 2026 scenario passes its check against the 2026 baseline; a 2025 answer fails it', async (t) => {
  const github = await standin(t)
  const { url } = await listenBaseline2026(t, github)
  t.same(scenarios2026.map((s) => s.id), ['tools_list_2026', 'get_issue_2026', 'get_issue_spread_2026'])
  for (const scenario of scenarios2026) {
    t.notOk(scenario.sessionPerConnection || scenario.opensSessions, `${scenario.id}: no session`)
    const answer = await post(url, scenario.body)
    t.equal(answer.status, 200, scenario.id)
    t.equal(answer.sessionId, undefined, `${scenario.id}: no session id`)
    t.equal(scenario.check(answer.messages), undefined, `${scenario.id} answers correctly`)
  }
  // The same calls answered the 2025 way (no resultType, no cache hints) are wrong answers.
  const v2025 = await listenBaseline(t, github)
  const session = await openSession(v2025.url)
  for (const id of ['tools_list', 'get_issue']) {
    const legacy = await post(v2025.url, SCENARIOS.find((s) => s.id === id)!.body, session)
    t.match(SCENARIOS.find((s) => s.id === `${id}_2026`)!.check(legacy.messages), /not a complete 2026-07-28 result/, `${id}: a 2025 answer is wrong`)
  }
  const noHints = [{ jsonrpc: '2.0' as const, id: 3, result: { resultType: 'complete', tools: TOOL_NAMES.map((name) => ({ name })) } }]
  t.match(SCENARIOS.find((s) => s.id === 'tools_list_2026')!.check(noHints), /no ttlMs/, 'a 2026 list needs its cache hints')
})

t.test('the 2026 baseline checks the key and refuses a Mcp-Name that disagrees with the body', async (t) => {
  const { url } = await listenBaseline2026(t, await standin(t))
  const body = modernRequest(2, 'tools/call', { name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: 1 } })
  const send = (headers: Record<string, string>) => fetch(`${url}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) })
  const { 'x-api-key': _key, ...keyless } = requestHeaders(body)
  t.equal((await send(keyless)).status, 401)
  t.equal((await send({ ...keyless, 'x-api-key': 'nope' })).status, 403)
  const mismatch = await send({ ...requestHeaders(body), 'mcp-name': 'list_issues' })
  t.equal(mismatch.status, 400)
  t.match(await mismatch.json(), { error: { code: -32020 } })
})

t.test('a short autocannon round of each 2026 scenario against the child process, every answer right', async (t) => {
  const github = await startChild('github-standin', 'bench/children/standin.ts', {})
  t.teardown(() => github.stop())
  const child = await startChild('baseline-2026', 'bench/children/baseline-2026.ts', serverEnv(github.url, false))
  t.teardown(() => child.stop())
  t.equal((await child.memory()).sessions, 0, 'the probe answers; no sessions')
  for (const scenario of scenarios2026) {
    const round = await fire({ url: child.url, scenario, seconds: 1, connections: 2 })
    t.ok(round.requests > 0, `${scenario.id}: requests were counted`)
    t.equal(failures(round), 0, `${scenario.id}: every answer a 2xx carrying ${scenario.expect.join(' and ')}`)
  }
})
