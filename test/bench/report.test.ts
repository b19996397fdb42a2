import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'
import { listenBaseline } from './baseline-server.js'
import { failures, fire, headerValue, summarize, type RoundStats } from '../../bench/cannon.js'
import { API_KEY } from '../../bench/config.js'
import { memoryTable, resultsMarkdown, targetsTable, throughputTable, type BenchResults } from '../../bench/markdown.js'
import { closeSession, inBatches, openSession, parseRpcBody } from '../../bench/mcp-http.js'
import { moduleOf } from '../../bench/profile.js'
import { evaluateTargets, median, memoryResult, scenarioResult } from '../../bench/report.js'
import { ISSUE_TITLE, SCENARIOS } from '../../bench/scenarios.js'

// How the bench reads answers and rounds, and how it turns them into verdicts. No timing is asserted.

const scenario = (id: string) => SCENARIOS.find((s) => s.id === id)!
const stats = (rps: number, extra: Partial<RoundStats> = {}): RoundStats =>
  ({ requests: rps * 5, seconds: 5, rps, p50: 5, p99: 20, errors: 0, non2xx: 0, wrong: 0, ...extra })

t.test('parseRpcBody reads JSON, batches and SSE streams', async (t) => {
  t.same(parseRpcBody('application/json; charset=utf-8', '{"jsonrpc":"2.0","id":1,"result":{}}'), [{ jsonrpc: '2.0', id: 1, result: {} }])
  t.equal(parseRpcBody('application/json', '[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"result":{}}]').length, 2)
  t.same(parseRpcBody('application/json', ''), [], 'a 202 has no body')
  const sse = 'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\n' +
    ': keepalive\n\nevent: message\nid: 7\ndata: {"jsonrpc":"2.0",\ndata: "id":3,"result":{"ok":true}}\n\n'
  t.same(parseRpcBody('text/event-stream', sse), [
    { jsonrpc: '2.0', method: 'notifications/progress', params: {} },
    { jsonrpc: '2.0', id: 3, result: { ok: true } }
  ], 'events in order, comments skipped, multi-line data joined')
})

t.test('scenario checks tell right answers from wrong ones', async (t) => {
  const get = scenario('get_issue')
  const ok = [{ jsonrpc: '2.0' as const, id: 2, result: { content: [{ type: 'text', text: `#1 ${ISSUE_TITLE}` }] } }]
  t.equal(get.check(ok), undefined)
  const toolError = [{ jsonrpc: '2.0' as const, id: 2, result: { isError: true, content: [{ type: 'text', text: 'not found' }] } }]
  t.match(get.check(toolError), /tool error/)
  t.match(get.check([]), /no result/)
  t.match(scenario('tools_list').check([{ jsonrpc: '2.0', id: 3, result: { tools: [{ name: 'get_issue' }] } }]), /tools\/list gave/)
  t.match(scenario('session_setup').check([{ jsonrpc: '2.0', id: 1, result: {} }]), /protocolVersion/)
})

t.test('summarize takes rate, percentiles and failures from an autocannon result', async (t) => {
  const s = summarize({
    requests: { total: 1000, average: 199 } as never, duration: 5.0, latency: { p50: 4, p99: 18 } as never, errors: 1, non2xx: 2
  }, 3)
  t.same(s, { requests: 1000, seconds: 5, rps: 200, p50: 4, p99: 18, errors: 1, non2xx: 2, wrong: 3 })
  t.equal(failures(s), 6)
  t.equal(headerValue({ 'Mcp-Session-Id': 'abc' }, 'mcp-session-id'), 'abc', 'header names compare case-insensitively')
  t.equal(headerValue(undefined, 'mcp-session-id'), undefined)
})

t.test('median picks a real round; targets follow issue 4.5', async (t) => {
  t.equal(median([3, 1, 2], (x) => x), 2)
  t.equal(median([4, 1, 3, 2], (x) => x), 2, 'the lower median for an even count')
  t.throws(() => median([], (x: number) => x))

  const get = scenarioResult(scenario('get_issue'), [stats(100), stats(120), stats(90)], [stats(400), stats(330), stats(350, { p99: 30 })], 0)
  t.equal(get.baseline.median.rps, 100)
  t.equal(get.gateway.median.rps, 350)
  t.equal(get.ratio, 3.5)
  const list = scenarioResult(scenario('tools_list'), [stats(100)], [stats(450, { non2xx: 1 })], 2)
  t.equal(list.failures, 3, 'round failures plus warm-up failures')

  const memory = memoryResult(
    [{ sessions: 10, rssBefore: 0, rssAfter: 0, heapBefore: 0, heapAfter: 0, rssPerSession: 100_000, heapPerSession: 90_000, serverSessions: 10 }],
    [{ sessions: 10, rssBefore: 0, rssAfter: 0, heapBefore: 0, heapAfter: 0, rssPerSession: 10_000, heapPerSession: 9_000, serverSessions: 10 }])
  t.equal(memory.ratio, 0.1)

  const targets = evaluateTargets([get, list], memory)
  const met = (name: RegExp) => targets.find((x) => name.test(x.name))?.met
  t.equal(met(/get_issue: gateway\/baseline/), true, '3.5× meets ≥ 3×')
  t.equal(met(/tools\/list: gateway\/baseline/), false, '4.5× misses ≥ 5×')
  t.equal(met(/memory/), true)
  t.equal(met(/get_issue: gateway p99/), false, 'p99 30 ms misses 25 ms')
  t.equal(met(/tools\/list: errors/), false)

  t.match(throughputTable([get]), /\*\*3\.50×\*\* \| ≥ 3× ✅/)
  t.match(memoryTable(memory), /\*\*0\.100\*\* \| ≤ 0\.20 ✅/)
  t.match(targetsTable(targets), /❌ MISSED/)
})

t.test('profile summaries name packages and project files', async (t) => {
  t.equal(moduleOf('file:///work/main/node_modules/@octokit/endpoint/dist-src/index.js'), '@octokit/endpoint')
  t.equal(moduleOf('file:///work/main/node_modules/fastify/lib/route.js'), 'fastify')
  t.equal(moduleOf('file:///work/main/src/mcp/transport.ts'), 'src/mcp/transport.ts')
  t.equal(moduleOf('node:events'), 'node:events')
  t.equal(moduleOf(''), '(native / VM)')
})

t.test('a real (short) autocannon round against the baseline is read correctly', async (t) => {
  const github = await startGitHubStandin()
  t.teardown(() => github.close())
  const { base, url } = await listenBaseline(t, github.url)

  const sessions = [await openSession(url), await openSession(url)]
  const get = await fire({ url, scenario: scenario('get_issue'), seconds: 1, connections: 2, sessions })
  t.ok(get.requests > 0, 'requests were counted')
  t.equal(failures(get), 0, 'every answer was a 2xx carrying the issue')

  const opened: string[] = []
  const setup = await fire({ url, scenario: scenario('session_setup'), seconds: 1, connections: 2, onSession: (id) => opened.push(id) })
  t.equal(failures(setup), 0)
  t.ok(opened.length > 0, 'session ids are read from the answers')
  t.ok(base.sessions.size >= sessions.length + opened.length, 'every id the bench saw is an open session')
  await inBatches(opened, 5, (id) => closeSession(url, id))
  // autocannon ends a round without reading answers in flight: at most one per connection is unseen.
  const left = base.sessions.size - sessions.length
  t.ok(left >= 0 && left <= 2, `closing what the bench saw leaves only cut-off ones (${left})`)

  // A wrong answer counts: the baseline answers a tool error for a missing issue.
  const missing = { ...scenario('get_issue'), body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: 9999 } } } }
  const wrong = await fire({ url, scenario: missing, seconds: 1, connections: 1, sessions })
  t.ok(wrong.wrong > 0 && wrong.wrong === wrong.requests - wrong.non2xx, 'every 2xx without the expected answer is counted wrong')
})

t.test('the results say which baseline the 2026 rows were measured against', async (t) => {
  const results = (ids: string[]): BenchResults => ({
    command: 'npm run bench', date: '2026-01-01T00:00:00Z', durationSeconds: 1, targets: [],
    machine: { node: 'v22', cpus: 2, cpuModel: 'cpu', platform: 'linux', memoryGiB: 1, loadStart: 0, loadEnd: 0 },
    settings: { connections: 20, seconds: 5, rounds: 1, warmupSeconds: 3 },
    scenarios: ids.map((id) => scenarioResult(scenario(id), [stats(100)], [stats(300)], 0))
  })
  const modern = scenarioResult(scenario('get_issue_2026'), [stats(100)], [stats(300)], 0)
  t.equal(modern.era, '2026')
  t.match(evaluateTargets([modern], undefined)[0], { name: 'tools/call get_issue, 2026-07-28: gateway/baseline', goal: '≥ 3×', met: true })
  t.match(resultsMarkdown(results(['get_issue', 'get_issue_2026'])), /Rows marked 2026-07-28 .* against the 2026 baseline \(`bench\/baseline-2026\/`/)
  t.notMatch(resultsMarkdown(results(['get_issue'])), /baseline-2026/, 'no note without 2026 rows')
})
