// Fresh without asking: while webhooks for a repository are live, its cached issue answers are
// served without a request, within WEBHOOK_FRESHNESS_MS; otherwise reads revalidate with ETags.
import t from 'tap'
import { harness } from '../harness.js'
import { until } from '../../spawn.js'
import { HookFreshness } from '../../../src/github/upstream/freshness.js'
import { changeOf } from '../../../src/github/webhooks/events.js'

const WINDOW = 60_000
const issue = (n: number) => ({ owner: 'octo-org', repo: 'widgets', issue_number: n })
const ping = (fullName = 'octo-org/widgets', events = ['issues', 'issue_comment', 'label']) =>
  changeOf('ping', { hook: { events }, repository: { full_name: fullName } })!
const edited = (n: number) => changeOf('issues', { action: 'edited', issue: { number: n }, repository: { full_name: 'octo-org/widgets' } })!

async function clocked (t: Parameters<typeof harness>[0]) {
  let now = 1_000_000
  const freshness = new HookFreshness(WINDOW, () => now)
  const h = await harness(t, { domain: { freshness } })
  return { h, tick: (ms: number) => { now += ms } }
}

t.test('without a live hook every repeated read is revalidated (today\'s behaviour)', async (t) => {
  const { h } = await clocked(t)
  await h.call('get_issue', issue(3))
  await h.call('get_issue', issue(3))
  t.match(h.standin.requests, [{ status: 200 }, { status: 304, ifNoneMatch: /^W\// }])
  t.equal(h.domain.stats().etagFresh, 0)
})

t.test('with a live hook a repeated read is served from cache, within the window', async (t) => {
  const { h, tick } = await clocked(t)
  h.domain.apply(ping())
  tick(10)
  await h.call('get_issue', issue(3))
  const asked = h.standin.requests.length
  tick(WINDOW / 2)
  const again = await h.call('get_issue', issue(3))
  t.notOk(again.isError)
  t.equal(h.standin.requests.length, asked, 'no request: the hook would have said if it changed')
  t.equal(h.domain.stats().etagFresh, 1)

  // Another repository has no live hook: it revalidates.
  await h.call('get_issue', { owner: 'octo-org', repo: 'gadgets', issue_number: 1 })
  await h.call('get_issue', { owner: 'octo-org', repo: 'gadgets', issue_number: 1 })
  t.match(h.standin.requests.at(-1), { status: 304 })

  // Checked longer ago than the window: asked again, even though the hook is still heard from.
  h.domain.apply(ping()) // heard from again (a ping drops nothing)
  tick(WINDOW / 2 + 1)
  h.domain.apply(ping())
  const before = h.standin.requests.length
  await h.call('get_issue', issue(3))
  t.equal(h.standin.requests.length, before + 1)
  t.match(h.standin.requests.at(-1), { status: 304 }, 'revalidated, and the 304 renews the check')
  await h.call('get_issue', issue(3))
  t.equal(h.standin.requests.length, before + 1, 'fresh again after the 304')
})

t.test('a delivery drops what it changes: the next read asks GitHub and sees the change', async (t) => {
  const { h, tick } = await clocked(t)
  h.domain.apply(ping())
  tick(10)
  await h.call('get_issue', issue(5))
  h.standin.state.repos[0].issues.find((i) => i.number === 5)!.title = 'Renamed on github.com'
  t.notMatch((await h.call('get_issue', issue(5))).structuredContent, { title: 'Renamed on github.com' }, 'served fresh, without the delivery')
  h.domain.apply(edited(5))
  const after = await h.call('get_issue', issue(5))
  t.match(after.structuredContent, { title: 'Renamed on github.com' })
  t.match(h.standin.requests.at(-1), { status: 200, path: '/repos/octo-org/widgets/issues/5' })
})

t.test('a hook silent for longer than the window, or one not sending every event, keeps nothing fresh', async (t) => {
  const { h, tick } = await clocked(t)
  h.domain.apply(ping())
  tick(10)
  await h.call('get_issue', issue(7))
  tick(WINDOW + 1)
  await h.call('get_issue', issue(7))
  t.match(h.standin.requests.at(-1), { status: 304 }, 'hook not heard from within the window')

  h.domain.apply(ping('octo-org/widgets', ['issues']))
  tick(10)
  await h.call('get_issue', issue(7))
  await h.call('get_issue', issue(7))
  t.match(h.standin.requests.at(-1), { status: 304 }, 'a hook without issue_comment and label cannot vouch for the cache')
  h.domain.apply(ping())
  tick(10)
  await h.call('get_issue', issue(7))
  const n = h.standin.requests.length
  await h.call('get_issue', issue(7))
  t.equal(h.standin.requests.length, n, 'a complete ping restores it')
})

t.test('an answer checked before the hook was first heard from is not trusted', async (t) => {
  const { h, tick } = await clocked(t)
  await h.call('get_issue', issue(9))
  tick(10)
  h.domain.apply(ping())
  await h.call('get_issue', issue(9))
  t.match(h.standin.requests.at(-1), { status: 304 }, 'a change before the hook existed could have been missed')
})

t.test('an organization hook keeps every repository of the organization fresh; searches are never', async (t) => {
  const { h, tick } = await clocked(t)
  h.domain.apply(changeOf('ping', { hook: { events: ['*'] }, organization: { login: 'octo-org' } })!)
  tick(10)
  await h.call('get_issue', { owner: 'octo-org', repo: 'gadgets', issue_number: 1 })
  const n = h.standin.requests.length
  await h.call('get_issue', { owner: 'octo-org', repo: 'gadgets', issue_number: 1 })
  t.equal(h.standin.requests.length, n)
  await h.call('search_issues', { query: 'repo:octo-org/widgets flicker' })
  await h.call('search_issues', { query: 'repo:octo-org/widgets flicker' })
  t.match(h.standin.requests.at(-1), { status: 304 })
})

t.test('WEBHOOK_FRESHNESS_MS=0 keeps nothing fresh', async (t) => {
  const freshness = new HookFreshness(0)
  freshness.heard('octo-org/widgets')
  t.notOk(freshness.fresh('/repos/octo-org/widgets/issues/1', Date.now()))
})

t.test('a 304 for a read that was in flight when a delivery arrived leaves the answer stale', async (t) => {
  const { h, tick } = await clocked(t)
  h.domain.apply(ping())
  tick(10)
  await h.call('get_issue', issue(3))
  tick(WINDOW + 1) // too old to be fresh: the next read revalidates
  h.standin.setLatency(200)
  const sent = h.standin.received
  const inFlight = h.call('get_issue', issue(3)) // asks GitHub, gets 304 after the delivery below
  await until(() => h.standin.received > sent, 'the read reached GitHub')
  h.domain.apply(edited(3))
  await inFlight
  h.standin.setLatency(0)
  const before = h.standin.requests.length
  await h.call('get_issue', issue(3))
  t.equal(h.standin.requests.length, before + 1, 'asked GitHub again: the earlier 304 predates the change')
  t.match(h.standin.requests.at(-1), { ifNoneMatch: /^W\// }, 'with its ETag: revalidated, not fetched whole')
})
