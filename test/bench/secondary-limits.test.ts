import t from 'tap'
import { Octokit } from '@octokit/rest'
import { throttling } from '@octokit/plugin-throttling'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'
import { SecondaryLimits } from '../../sandbox/secondary-limits.js'

// The agent-workload benchmark's stand-in enforces GitHub's secondary limits and counts what a run
// costs. A clock is injected where time matters; no test waits or asserts a duration.

t.test('searches: 30 a minute in a sliding window, then the seconds until a slot frees', async (t) => {
  let now = 1_000_000
  const limits = new SecondaryLimits({ now: () => now })
  for (let i = 0; i < 30; i++) {
    t.equal(limits.admit('GET', 'search'), undefined, `search ${i + 1} admitted`)
    now += 1000
  }
  t.equal(limits.admit('GET', 'search'), 30, 'the 31st waits until the first is a minute old')
  t.equal(limits.refused, 1)
  now += 29_500
  t.equal(limits.admit('GET', 'search'), 1, 'half a second left is rounded up to one')
  now += 500
  t.equal(limits.admit('GET', 'search'), undefined, 'a slot freed a minute after the first search')
  t.equal(limits.admit('GET', 'search'), 1, 'and only one')
  t.equal(limits.admit('GET', 'core'), undefined, 'reads are not limited')
})

t.test('writes: 80 a minute and 500 an hour; reads and refused writes do not count', async (t) => {
  let now = 0
  const limits = new SecondaryLimits({ now: () => now })
  for (let i = 0; i < 1000; i++) limits.admit('GET', 'core')
  for (let i = 0; i < 80; i++) t.equal(limits.admit(i % 2 === 0 ? 'PATCH' : 'POST', 'core'), undefined)
  t.equal(limits.admit('PUT', 'core'), 60)
  t.equal(limits.admit('DELETE', 'core'), 60)
  for (let minute = 1; minute < 7; minute++) {
    now = minute * 60_000
    let admitted = 0
    while (limits.admit('POST', 'core') === undefined) admitted++
    t.equal(admitted, minute < 6 ? 80 : 20, `minute ${minute}: ${minute < 6 ? 'a full minute' : 'the hour\'s last 20'}`)
  }
  t.equal(limits.admit('POST', 'core'), 3600 - 360, 'then the hour: until the first write is an hour old')
  t.equal(limits.admit('GET', 'search'), undefined, 'searches have their own window')
})

t.test('the stand-in answers GitHub\'s secondary-limit 403 with retry-after, only when asked to', async (t) => {
  const github = await startGitHubStandin({ secondaryLimits: {} })
  const plain = await startGitHubStandin()
  t.teardown(() => Promise.all([github.close(), plain.close()]))
  for (const s of [github, plain]) s.setSearchRateLimit(1_000_000) // the primary search bucket is not what is tested
  const search = (base: string) => fetch(`${base}/search/issues?q=repo:octo-org/widgets+is:issue`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })

  for (let i = 0; i < 30; i++) t.equal((await search(github.url)).status, 200)
  const refused = await search(github.url)
  t.equal(refused.status, 403)
  const wait = Number(refused.headers.get('retry-after'))
  t.ok(wait >= 1 && wait <= 60, `retry-after ${wait} names the seconds to wait`)
  t.not(refused.headers.get('x-ratelimit-remaining'), '0', 'the primary quota is not what ran out')
  t.match(await refused.json(), {
    message: /^You have exceeded a secondary rate limit\. .*request ID \S+\.$/,
    documentation_url: /#about-secondary-rate-limits$/,
    status: '403'
  })
  t.equal(github.usage().secondaryLimited, 1)

  for (let i = 0; i < 31; i++) t.equal((await search(plain.url)).status, 200, 'off by default')
  github.setSecondaryLimits(false)
  t.equal((await search(github.url)).status, 200, 'and off on request')
  github.setSecondaryLimits({ searchesPerMinute: 1 })
  t.equal((await search(github.url)).status, 200, 'fresh windows with new options')
  t.equal((await search(github.url)).status, 403)
})

t.test("Octokit's throttling plugin reads the stand-in's 403 as a secondary limit with its retry-after", async (t) => {
  const github = await startGitHubStandin({ secondaryLimits: { writesPerMinute: 1 } })
  t.teardown(() => github.close())
  const seen: Array<{ kind: string, retryAfter: number }> = []
  const octokit = new (Octokit.plugin(throttling))({
    auth: SANDBOX_TOKEN,
    baseUrl: github.url,
    throttle: {
      onRateLimit: (retryAfter) => { seen.push({ kind: 'primary', retryAfter }); return false },
      onSecondaryRateLimit: (retryAfter) => { seen.push({ kind: 'secondary', retryAfter }); return false }
    }
  })
  const update = () => octokit.rest.issues.update({ owner: 'octo-org', repo: 'widgets', issue_number: 1, body: 'edited' })
  await update()
  await t.rejects(update(), { status: 403, message: /secondary rate limit/ })
  t.equal(seen.length, 1)
  t.equal(seen[0].kind, 'secondary')
  t.ok(seen[0].retryAfter >= 1 && seen[0].retryAfter <= 60, 'the wait comes from retry-after')
})

t.test('usage counts quota-spending answers; a 304 and a secondary-limit 403 spend none', async (t) => {
  const github = await startGitHubStandin({ secondaryLimits: { searchesPerMinute: 1 } })
  t.teardown(() => github.close())
  github.setSearchRateLimit(1_000_000)
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${github.url}${path}`, { headers: { authorization: `token ${SANDBOX_TOKEN}`, ...headers } })

  const first = await get('/repos/octo-org/widgets/issues/1')
  const etag = first.headers.get('etag')!
  t.equal((await get('/repos/octo-org/widgets/issues/1', { 'if-none-match': etag })).status, 304)
  t.equal((await get('/repos/octo-org/widgets/issues/1', { 'if-none-match': etag })).status, 304)
  t.equal((await get('/repos/octo-org/widgets/issues/9999')).status, 404)
  t.equal((await get('/search/issues?q=is:issue')).status, 200)
  t.equal((await get('/search/issues?q=is:issue')).status, 403)
  t.equal((await get('/rate_limit')).status, 200)
  const spentBy = { 'GET /repos/:owner/:repo/issues/:number': 2, 'GET /search/issues': 1 }
  t.same(github.usage(), { requests: 7, quotaSpent: 3, notModified: 2, secondaryLimited: 1, spentBy },
    'the 200, the 404 and the search spent quota (counted by route); the 304s, the 403 and /rate_limit did not')
  github.reset()
  t.same(github.usage(), { requests: 0, quotaSpent: 0, notModified: 0, secondaryLimited: 0, spentBy: {} }, 'reset starts afresh')
})
