import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN, type StandinUsage } from '../../sandbox/github-standin.js'
import { listenBaseline } from './baseline-server.js'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verify } from '@octokit/webhooks-methods'
import type { FreshLimitsMessage, UsageMessage, WebhookMessage, WebhookSetMessage } from '../../bench/children/agent-standin.js'
import { API_KEY } from '../../bench/config.js'
import { startChild } from '../../bench/procs.js'
import { closeAgents, driveAgents, judge, openAgents, type CallSample } from '../../bench/agents/drive.js'
import { editOnce } from '../../bench/agents/people.js'
import { agentSide, agentTable, percentile, usageDelta } from '../../bench/agents/report.js'
import { FLEET, HOT_ISSUES, agentSeed, fleetTitle } from '../../bench/agents/seed.js'
import { LIMITED, everyTool, pass, random } from '../../bench/agents/workload.js'
import { evaluateTargets, scenarioResult } from '../../bench/report.js'
import { SCENARIOS } from '../../bench/scenarios.js'

// The agent workload's machinery: the plan, how answers are judged, the rows computed from samples
// and the stand-in's counters, and one short drive against the baseline. No timing is asserted.

t.test('the plan: list, four reads of hot issues, comments; searches and updates at their shares', async (t) => {
  const names = (seed: number) => Array.from({ length: 50 }, (_, i) => pass(random(seed), 0, i)).flat().map((c) => `${c.name}:${JSON.stringify(c.arguments)}`)
  t.same(names(7), names(7), 'the same seed gives the same calls (baseline and gateway are sent the same)')
  t.not(names(7).join(), names(8).join(), 'agents differ')

  const rand = random(1)
  const passes = Array.from({ length: 4000 }, (_, i) => pass(rand, 3, i))
  for (const calls of passes.slice(0, 100)) {
    t.same(calls.slice(0, 6).map((c) => c.name), ['list_issues', 'get_issue', 'get_issue', 'get_issue', 'get_issue', 'list_issue_comments'])
  }
  const all = passes.flat()
  const numbers = all.filter((c) => c.name === 'get_issue').map((c) => c.arguments.issue_number as number)
  t.ok(numbers.every((n) => n >= 1 && n <= HOT_ISSUES), 'reads stay within the hot issues')
  t.equal(new Set(numbers).size, HOT_ISSUES, 'and spread over all of them')
  const share = (name: string) => all.filter((c) => c.name === name).length / passes.length
  t.ok(Math.abs(share('search_issues') - 0.1) < 0.02, `searches in ${share('search_issues')} of passes`)
  t.ok(Math.abs(share('update_issue') - 0.05) < 0.015, `updates in ${share('update_issue')} of passes`)
  t.same(everyTool().map((c) => c.name), ['list_issues', 'get_issue', 'list_issue_comments', 'search_issues', 'update_issue'])
})

t.test('judge: an agent needs a result, not an error, with the expected text', async (t) => {
  const call = { name: 'get_issue', arguments: {}, expect: fleetTitle(3) }
  const result = (text: string, isError = false) => [{ jsonrpc: '2.0', id: 1, result: { isError, content: [{ type: 'text', text }] } }]
  t.same(judge(call, 200, result(`#3 ${fleetTitle(3)}`)), { outcome: 'ok' })
  t.match(judge(call, 200, result('#3 something else')), { outcome: 'error', detail: /missing/ })
  t.match(judge(call, 200, result('Error: You have exceeded a secondary rate limit. Please wait', true)), { outcome: 'rate-limited' })
  t.match(judge(call, 200, result('Not found: issue #3', true)), { outcome: 'error' })
  t.match(judge(call, 200, [{ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad' } }]), { outcome: 'error', detail: /no result/ })
  t.match(judge(call, 429, []), { outcome: 'error', detail: 'HTTP 429' })
})

t.test('rows: quota per 1,000 calls from the stand-in, latency added over GitHub\'s, errors', async (t) => {
  t.equal(percentile([5, 1, 4, 2, 3], 50), 3)
  t.equal(percentile(Array.from({ length: 200 }, (_, i) => i + 1), 99), 198)
  t.equal(percentile([], 99), 0)
  const before: StandinUsage = { requests: 10, quotaSpent: 8, notModified: 2, secondaryLimited: 0, spentBy: { 'GET /search/issues': 3, 'GET /user': 5 } }
  const after: StandinUsage = { requests: 310, quotaSpent: 108, notModified: 190, secondaryLimited: 10, spentBy: { 'GET /search/issues': 53, 'GET /user': 5, 'PATCH /repos/:owner/:repo/issues/:number': 50 } }
  const usage = usageDelta(before, after)
  t.same(usage, { requests: 300, quotaSpent: 100, notModified: 188, secondaryLimited: 10, spentBy: { 'GET /search/issues': 50, 'PATCH /repos/:owner/:repo/issues/:number': 50 } })

  const samples: CallSample[] = [
    ...Array.from({ length: 396 }, (_, i): CallSample => ({ tool: 'get_issue', ms: 61 + (i % 4), outcome: 'ok' })),
    { tool: 'search_issues', ms: 900, outcome: 'ok' },
    { tool: 'search_issues', ms: 2000, outcome: 'ok' },
    { tool: 'search_issues', ms: 3000, outcome: 'rate-limited', detail: 'secondary' },
    { tool: 'update_issue', ms: 70, outcome: 'error', detail: 'boom' }
  ]
  const side = agentSide(samples, usage, 20, 60)
  t.equal(side.calls, 400)
  t.equal(side.callsPerSecond, 20)
  t.equal(side.quotaPer1000, 250, '100 quota-spending requests for 400 calls')
  t.same(side.latency, { p50: 63, p99: 64 }, 'nearest rank: the 200th and 396th of 400')
  t.same(side.added, { p50: 3, p99: 4 }, 'GitHub\'s 60 ms subtracted')
  t.same([side.errors, side.rateLimited], [2, 1])
  t.same(side.byTool.search_issues, { calls: 3, p50: 2000, p99: 3000 })
  t.same(side.examples, ['secondary', 'boom'])
  const table = agentTable({ settings: { agents: 20, seconds: 20, latencyMs: 60, editsPerSecond: 2 }, baseline: side, gateway: side })
  t.match(table, /\| \*\*GitHub quota per 1,000 tool calls\*\* \| \*\*250\*\* \| \*\*250\*\* \|\n/)
  t.notMatch(table, /webhooks/, 'no webhooks column when that side did not run')
  const cheaper = agentSide(samples, { ...usage, quotaSpent: 20 }, 20, 60)
  const hooked = agentTable({ settings: { agents: 20, seconds: 20, latencyMs: 60, editsPerSecond: 2 }, baseline: side, gateway: side, webhooks: cheaper })
  t.match(hooked, /\| baseline \| gateway \| gateway, webhooks on \|\n\|---\|---:\|---:\|---:\|/)
  t.match(hooked, /\| \*\*GitHub quota per 1,000 tool calls\*\* \| \*\*250\*\* \| \*\*250\*\* \| \*\*50\*\* \|/)
  t.match(table, /latency added over GitHub's\*\* p50 \/ p99 ms \(call − 60 ms\) \| \*\*3\.0 \/ 4\.0\*\*/)
  t.match(table, /errors \(of which rate-limited by GitHub\) \| 2 \(1\) \|/)
  t.match(table, /\| quota spent on searches \| 50 \| 50 \|\n/, 'where the quota went, by route')
  t.match(table, /\| quota spent on issue updates \| 50 \| 50 \|\n/)
  t.match(table, /\| quota spent on issue reads \| 0 \| 0 \|\n/)
})

t.test('a person\'s edit changes the issue\'s ETag, so a revalidation gets a 200', async (t) => {
  const github = await startGitHubStandin({ seed: agentSeed() })
  t.teardown(() => github.close())
  const path = `/repos/${FLEET.owner}/${FLEET.repo}/issues/1`
  const get = (headers: Record<string, string> = {}) => fetch(`${github.url}${path}`, { headers: { authorization: `token ${SANDBOX_TOKEN}`, ...headers } })
  const first = await get()
  t.match(await first.json(), { title: fleetTitle(1), state: 'open' })
  const etag = first.headers.get('etag')!
  t.equal((await get({ 'if-none-match': etag })).status, 304, 'unchanged: 304')
  const repo = github.state.repos.find((r) => r.name === FLEET.repo)!
  for (let edit = 0; edit < 3; edit++) {
    const tag = (await get()).headers.get('etag')!
    editOnce(repo, edit, () => 0, 90_000_000 + edit) // pick() = 0: issue #1
    t.equal((await get({ 'if-none-match': tag })).status, 200, `edit ${edit} changed the ETag`)
  }
  t.equal(repo.issues[0].comments.at(-1)?.id, 90_000_002, 'every third edit is a new comment')
})

t.test('an edit returns the issue as it was, for the webhook GitHub would send', async (t) => {
  const repo = agentSeed().repos.find((r) => r.name === FLEET.repo)!
  const was = structuredClone(repo.issues[0])
  const before = editOnce(repo, 0, () => 0, 1)
  t.same(before, was, 'a copy from before the edit')
  t.not(repo.issues[0].body, was.body, 'the issue itself changed')
  t.not(before, repo.issues[0])
})

t.test('a short drive against the baseline: every call answered, every answer one quota-spending request', async (t) => {
  const github = await startGitHubStandin({ seed: agentSeed(), secondaryLimits: { searchesPerMinute: 1, writesPerMinute: 1 } })
  t.teardown(() => github.close())
  github.setRateLimit(1_000_000)
  github.setSearchRateLimit(1_000_000)
  const { base, url } = await listenBaseline(t, github.url)

  const sessions = await openAgents(url, 4)
  t.equal(base.sessions.size, 4, 'one session per agent')
  const before = github.usage()
  const samples = await driveAgents(url, sessions, 60, { passes: 2 })
  const usage = usageDelta(before, github.usage())
  await closeAgents(url, sessions)
  t.equal(base.sessions.size, 0)

  t.ok(samples.length >= 4 * 2 * 6, `${samples.length} calls (two passes of four agents)`)
  const limited = samples.filter((s) => s.outcome === 'rate-limited').length
  t.equal(samples.filter((s) => s.outcome === 'error').length, 0, 'no call failed for another reason')
  t.equal(limited, usage.secondaryLimited, 'each rate-limited call is one of the stand-in\'s 403s')
  t.equal(usage.quotaSpent, samples.length - limited, 'the baseline spends one request of quota per answered call (no 304s)')
  t.equal(usage.notModified, 0)
})

t.test('targets: the gateway\'s agent-workload errors must be zero; the per-request get_issue row is held to 2×', async (t) => {
  const zero: StandinUsage = { requests: 0, quotaSpent: 0, notModified: 0, secondaryLimited: 0, spentBy: {} }
  const side = (errors: number) => agentSide(Array.from({ length: 10 }, (_, i): CallSample => ({ tool: 'get_issue', ms: 70, outcome: i < errors ? 'error' : 'ok' })), zero, 1, 60)
  const settings = { agents: 1, seconds: 1, latencyMs: 60, editsPerSecond: 2 }
  const verdict = (errors: number) => evaluateTargets([], undefined, { settings, baseline: side(5), gateway: side(errors) })
    .find((x) => /agent workload/.test(x.name))
  t.match(verdict(0), { value: 0, met: true }, 'the baseline\'s errors do not count against the gateway')
  t.match(verdict(1), { value: 1, met: false })

  t.notOk(evaluateTargets([], undefined, { settings, baseline: side(5), gateway: side(0) }).some((x) => /webhooks/.test(x.name)), 'no webhook rows unless that side ran')

  const spread = SCENARIOS.find((s) => s.id === 'get_issue_spread')!
  const stats = (rps: number) => ({ requests: rps, seconds: 1, rps, p50: 1, p99: 2, errors: 0, non2xx: 0, wrong: 0 })
  const row = (ratio: number) => evaluateTargets([scenarioResult(spread, [stats(100)], [stats(100 * ratio)], 0)], undefined)[0]
  t.match(row(2.1), { goal: '≥ 2×', met: true })
  t.match(row(1.9), { met: false })
})

t.test('targets with webhooks on: at most a third of the quota without them, less latency added, no errors', async (t) => {
  const settings = { agents: 1, seconds: 1, latencyMs: 60, editsPerSecond: 2 }
  const side = (quotaSpent: number, ms: number, errors = 0) => agentSide(Array.from({ length: 100 }, (_, i): CallSample => ({ tool: 'get_issue', ms, outcome: i < errors ? 'error' : 'ok' })), { requests: 0, quotaSpent, notModified: 0, secondaryLimited: 0, spentBy: {} }, 1, 60)
  const rows = (webhooks: ReturnType<typeof side>) => evaluateTargets([], undefined, { settings, baseline: side(100, 70), gateway: side(45, 90), webhooks })
    .filter((x) => /webhooks on/.test(x.name))
  const good = rows(side(15, 80))
  t.equal(good.length, 4)
  t.ok(good.every((x) => x.met), 'a third of the quota, less latency, no errors')
  t.match(good[0], { value: 1 / 3, goal: '≤ 1/3 (0.33)' })
  t.match(good[1], { value: 20, goal: '< without webhooks (30.0)' })
  t.same(rows(side(16, 80)).map((x) => x.met), [false, true, true, true], 'more than a third of the quota misses')
  t.same(rows(side(15, 90)).map((x) => x.met), [true, false, false, true], 'no less latency added misses')
  t.same(rows(side(15, 80, 1)).map((x) => x.met), [true, true, true, false], 'an error misses')
})

t.test('the agent stand-in child: fleet seed, secondary limits on, usage and fresh windows over IPC', async (t) => {
  const child = await startChild('agent-standin', 'bench/children/agent-standin.ts', { STANDIN_LATENCY_MS: '1', STANDIN_EDITS_PER_SECOND: '1' })
  t.teardown(() => child.stop())
  const search = () => fetch(`${child.url}/search/issues?q=repo:octo-org/fleet`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  const usage = () => child.ask<UsageMessage>({ type: 'usage' }, 'usage')
  const issue = await fetch(`${child.url}/repos/octo-org/fleet/issues/7`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  t.match(await issue.json(), { title: fleetTitle(7) })
  for (let i = 0; i < 30; i++) t.equal((await search()).status, 200)
  t.equal((await search()).status, 403, 'the 31st search in a minute is refused')
  t.match(await usage(), { type: 'usage', quotaSpent: 31, secondaryLimited: 1 }, 'primary quota lifted, spending counted')
  t.same((await usage()).spentBy, { 'GET /repos/:owner/:repo/issues/:number': 1, 'GET /search/issues': 30 }, 'and counted by route; the refused search spent none')
  await child.ask<FreshLimitsMessage>({ type: 'fresh-limits' }, 'fresh-limits')
  t.equal((await search()).status, 200, 'fresh windows: searches are served again')
})

t.test('the agent stand-in holds every answer back by its latency (a race, no clock: a minute loses to none)', async (t) => {
  const slow = await startChild('agent-standin', 'bench/children/agent-standin.ts', { STANDIN_LATENCY_MS: '60000', STANDIN_EDITS_PER_SECOND: '1' })
  const fast = await startGitHubStandin()
  t.teardown(() => fast.close())
  const get = (base: string) => fetch(`${base}/repos/octo-org/gadgets/issues/1`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  const held = get(slow.url).then(() => 'slow answered', () => 'slow cut off')
  const first = await Promise.race([held, get(fast.url).then(() => 'fast answered')])
  t.equal(first, 'fast answered')
  await slow.stop()
  t.equal(await held, 'slow cut off', 'the held answer never came')
})

t.test('the agent stand-in child with a hook: a ping first, then signed deliveries for the people\'s edits; none once removed', async (t) => {
  const got: Array<{ event: string, body: string, signature: string }> = []
  const receiver = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => { got.push({ event: String(req.headers['x-github-event']), body, signature: String(req.headers['x-hub-signature-256']) }); res.writeHead(200).end() })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => receiver.close(resolve)))
  const child = await startChild('agent-standin', 'bench/children/agent-standin.ts', { STANDIN_LATENCY_MS: '1', STANDIN_EDITS_PER_SECOND: '20' })
  t.teardown(() => child.stop())
  const hook = (target: WebhookMessage['target']) => {
    const message: WebhookMessage = { type: 'webhook', target }
    return child.ask<WebhookSetMessage>(message, 'webhook-set')
  }
  const secret = 'bench-hook-secret-0123456789'
  t.match(await hook({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/github`, secret }), { pingStatus: 200 })
  t.equal(got[0]?.event, 'ping', 'the ping comes first')
  t.match(JSON.parse(got[0].body), { repository: { full_name: 'octo-org/fleet' } })
  while (got.length < 6) await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(got.slice(1).every((d) => d.event === 'issues' || d.event === 'issue_comment'), 'the people\'s edits, as issues and issue_comment events')
  for (const d of got) t.ok(await verify(secret, d.body, d.signature), `${d.event} signed`)
  t.match(await hook(null), { pingStatus: 0 })
  const sent = got.length
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(got.length, sent, 'no deliveries without a hook')
})

t.test('the warm-up drive leaves out what the secondary limits count: the measured run starts with those windows unspent', async (t) => {
  const github = await startGitHubStandin({ seed: agentSeed(), secondaryLimits: { searchesPerMinute: 1000, writesPerMinute: 1000 } })
  t.teardown(() => github.close())
  github.setRateLimit(1_000_000)
  github.setSearchRateLimit(1_000_000)
  const { url } = await listenBaseline(t, github.url)
  const sessions = await openAgents(url, 4)
  // Ended by the number of passes, not the clock (the deadline only bounds a hung server).
  const PASSES = 8
  const planned = sessions.flatMap((_, agent) => {
    const rand = random(agent + 1)
    return Array.from({ length: PASSES }, (_, n) => pass(rand, agent, n + 1)).flat()
  })
  const limitedPlanned = planned.filter((c) => LIMITED.has(c.name)).length
  t.ok(limitedPlanned > 0, `the agents' first ${PASSES} passes plan ${limitedPlanned} searches and updates (so leaving them out means something)`)
  const warm = await driveAgents(url, sessions, 60, { limited: false, passes: PASSES })
  const measured = await driveAgents(url, sessions, 60, { passes: PASSES })
  await closeAgents(url, sessions)
  const names = (samples: CallSample[]) => new Set(samples.map((s) => s.tool))
  t.equal(warm.length, planned.length - limitedPlanned, 'the warm-up made every planned call but those')
  t.equal(measured.length, planned.length, 'the measured drive made every planned call')
  t.notOk(names(warm).has('search_issues'), 'no search in the warm-up')
  t.notOk(names(warm).has('update_issue'), 'no update in the warm-up')
  t.ok(names(warm).has('get_issue') && names(warm).has('list_issues'), 'the reads are there')
  t.ok(names(measured).has('search_issues') || names(measured).has('update_issue'), 'the measured drive has them (control)')
})
