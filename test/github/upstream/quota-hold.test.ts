// While GitHub's quota is spent, or GitHub asked for a long pause, calls are answered locally:
// nothing is sent until the reset, and the answer names it.
import t from 'tap'
import { harness, textOf } from '../harness.js'

const issue = (n: number) => ({ owner: 'octo-org', repo: 'widgets', issue_number: n })

t.test('an exhausted quota holds calls until its reset, without a request', async (t) => {
  const h = await harness(t)
  const reset = Math.floor(Date.now() / 1000) + 1800
  h.standin.setRateLimit(0, reset)
  await h.call('get_issue', issue(1)) // GitHub says so once
  t.equal(h.standin.requests.length, 1)
  const held = await h.call('get_issue', issue(2))
  t.equal(textOf(held), `GitHub API rate limit exhausted for the gateway's token; nothing was sent. It resets at ${new Date(reset * 1000).toISOString()} (in about 30 min); retry after that, not before.`)
  await h.call('list_issues', { owner: 'octo-org', repo: 'gadgets' })
  t.equal(h.standin.requests.length, 1, 'no request while the quota is spent')
  t.equal(h.domain.stats().held, 2, 'counted')
  const search = await h.call('search_issues', { query: 'crash' })
  t.notOk(search.isError, 'search spends its own bucket')
})

t.test('a quota that has reset is used again', async (t) => {
  // No wait-and-retry of the limited call (the throttling plugin would wait out a reset this
  // close and then succeed), and a reset at least a second away: the first call is held, surely.
  const h = await harness(t, { domain: { maxRateLimitWaitS: 0 } })
  const reset = Math.floor(Date.now() / 1000) + 2
  h.standin.setRateLimit(0, reset)
  t.equal((await h.call('get_issue', issue(1))).isError, true)
  while (Date.now() <= reset * 1000) await new Promise((resolve) => setTimeout(resolve, 50))
  h.standin.setRateLimit(5000)
  t.notOk((await h.call('get_issue', issue(2))).isError)
  t.equal(h.standin.requests.at(-1)?.status, 200)
})

t.test('a long secondary-limit pause holds every call until it ends', async (t) => {
  const h = await harness(t)
  h.standin.failNext({ method: 'GET', path: '/repos/octo-org/widgets/issues/1' }, {
    status: 403, message: 'You have exceeded a secondary rate limit.', headers: { 'retry-after': '120' },
  })
  t.match(textOf(await h.call('get_issue', issue(1))), /secondary rate limit/)
  const held = await h.call('get_issue', issue(2))
  t.match(textOf(held), /^GitHub asked the gateway to pause \(secondary rate limit: too many requests in a short time\); nothing was sent\. It resets at .* \(in about 2 min\)/)
  t.equal(h.standin.requests.length, 1)
})
