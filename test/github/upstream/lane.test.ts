// The limiters handed to @octokit/plugin-throttling in place of its Bottleneck groups.
import t from 'tap'
import { Lane, RetryRunner } from '../../../src/github/upstream/lane.js'
import { startGitHubStandin } from '../../../sandbox/github-standin.js'
import { createGitHubClient } from '../../../src/github/upstream/client.js'
import { memoryLogger } from '../harness.js'

t.test('a lane spaces job starts by its gap', async (t) => {
  const waits: number[] = []
  const lane = new Lane(1000, { wait: async (ms) => { waits.push(ms) } })
  const order: number[] = []
  await Promise.all([1, 2, 3].map((n) => lane.key().schedule({}, () => { order.push(n) })))
  t.same(order, [1, 2, 3])
  t.equal(waits.length, 2, 'the first job starts at once')
  t.ok(waits[0] > 990 && waits[0] <= 1000, `second waits one gap (${waits[0]} ms)`)
  t.ok(waits[1] > 1990 && waits[1] <= 2000, `third waits two gaps (${waits[1]} ms)`)
})

t.test('a lane without a gap runs jobs at once and passes arguments through', async (t) => {
  const lane = new Lane(0, { wait: async () => { throw new Error('never waits') } })
  t.equal(await lane.schedule({}, (a: number, b: number) => a + b, 2, 3), 5)
})

t.test('a full lane refuses at once with a retry hint', async (t) => {
  const lane = new Lane(1000, { maxWaitMs: 2500, wait: async () => {} })
  const jobs = [1, 2, 3, 4].map(() => lane.schedule({}, () => 'ran'))
  t.same(await Promise.all(jobs.slice(0, 3)), ['ran', 'ran', 'ran'])
  await t.rejects(jobs[3], { name: 'LaneFullError', retryAfterS: 3 })
})

t.test('a waiting job ends when the lane closes; no timer holds the process', async (t) => {
  // Cancellation by the caller is tested through Octokit below, where the signal comes from.
  const lane = new Lane(60_000, { maxWaitMs: 300_000 })
  await lane.schedule({}, () => 'first')
  const pending = lane.schedule({}, () => 'never')
  lane.close()
  await t.rejects(pending, { name: 'AbortError' })
})

t.test('the retry runner repeats a job while the failed listener asks for it', async (t) => {
  const runner = new RetryRunner()
  const seen: number[] = []
  runner.on('failed', (_error, info) => { seen.push(info.retryCount); return info.retryCount < 2 ? 0 : undefined })
  let calls = 0
  await t.rejects(runner.schedule(async (x: string) => { calls++; throw new Error(x) }, 'boom'), /boom/)
  t.equal(calls, 3)
  t.same(seen, [0, 1, 2])
  t.equal(await runner.schedule(async () => 'ok'), 'ok')
})

t.test('through Octokit, a cancelled search stops waiting for its slot at once', async (t) => {
  // A hang detector, not a speed check: without the fix the search waits out its 20 s slot.
  t.setTimeout(10_000)
  const gh = await startGitHubStandin()
  const client = createGitHubClient({ token: 'sandbox-token', baseUrl: gh.url, logger: memoryLogger([]), searchSpacingMs: 20_000 })
  t.teardown(async () => { await client.close(); await gh.close() })
  await client.api.rest.search.issuesAndPullRequests({ q: 'repo:octo-org/widgets bug' })
  const controller = new AbortController()
  const second = client.api.rest.search.issuesAndPullRequests({ q: 'repo:octo-org/widgets crash', request: { signal: controller.signal } })
  setTimeout(() => controller.abort(), 20)
  // Without the signal reaching the lane this would wait the whole 20 s slot (the test would time out).
  await t.rejects(second, { name: 'AbortError' })
  t.equal(gh.requests.filter((r) => r.path.startsWith('/search/issues')).length, 1, 'the cancelled search never reached GitHub')
})

t.test('a write\'s second booking (its notification slot, after an await) still gets the request\'s signal', async (t) => {
  const seen: AbortSignal[] = []
  const writes = new Lane(0)
  const notifications = new Lane(60_000, { maxWaitMs: 120_000, wait: (_ms, signal) => { seen.push(signal); return new Promise(() => {}) } })
  await notifications.schedule({}, () => 'takes the first slot')
  // As the throttling plugin's doRequest books them: the same jobOptions object, the second after an await.
  const doRequest = async (_state: unknown, _request: unknown, _options: unknown) => {
    const jobOptions = {}
    await writes.schedule(jobOptions, () => {})
    await notifications.schedule(jobOptions, () => {})
  }
  const controller = new AbortController()
  void new RetryRunner().schedule(doRequest, {}, {}, { request: { signal: controller.signal } }).catch(() => {})
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(seen.length, 1)
  t.notOk(seen[0].aborted)
  controller.abort()
  t.ok(seen[0].aborted, 'the wait is tied to the caller\'s signal')
})

t.test('carrying the signal turns on no async hooks (they would tax every promise in the process)', async (t) => {
  // In a fresh process: tap's own runner has async hooks on already.
  const { execFileSync } = await import('node:child_process')
  const { fileURLToPath } = await import('node:url')
  const script = fileURLToPath(new URL('../../fixtures/lane-async-hooks.ts', import.meta.url))
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' }))
  t.same(out, { before: 0, after: 0, result: 'sent' }, 'promises carry no async-context fields afterwards')
})
