// GitHub failures become isError results a model can act on; retries only where safe.
import t from 'tap'
import { harness, textOf } from '../harness.js'
import { freePort } from '../../spawn.js'

const widgets = { owner: 'octo-org', repo: 'widgets' }
const issue1 = { ...widgets, issue_number: 1 }
const ISSUE1_PATH = '/repos/octo-org/widgets/issues/1'

t.test('401: the operator must fix the token, and the token never shows', async (t) => {
  const h = await harness(t, { domain: { token: 'ghp_wrongTokenValue123' } })
  const res = await h.call('get_issue', issue1)
  t.equal(res.isError, true)
  t.equal(textOf(res), 'GitHub rejected the gateway\'s credentials (401). The operator must fix the gateway\'s GitHub credential (GITHUB_TOKEN or the GitHub App); retrying will not help.')
  t.notMatch(JSON.stringify(res) + JSON.stringify(h.logs), /ghp_wrongTokenValue123|sandbox-token/)
  t.equal(h.standin.requests.length, 1, 'not retried')
})

t.test('primary rate limit: says when it resets, does not wait an hour', async (t) => {
  const h = await harness(t)
  const reset = Math.floor(Date.now() / 1000) + 1800
  h.standin.setRateLimit(0, reset)
  const res = await h.call('get_issue', issue1)
  t.match(textOf(res), `GitHub API rate limit exhausted for the gateway's token while requesting issue #1 in octo-org/widgets. It resets at ${new Date(reset * 1000).toISOString()} (in about 30 min); retry after that, not before.`)
  t.equal(h.standin.requests.length, 1)
  t.match(h.logs.find((l) => l.msg === 'GitHub rate limit'), { level: 'warn', obj: { kind: 'primary', retrying: false } })
})

t.test('secondary rate limit: retried once when the wait is short, explained when it is not', async (t) => {
  const h = await harness(t)
  const secondary = (after: string) => ({ status: 403, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': after } })
  h.standin.failNext({ method: 'GET', path: ISSUE1_PATH }, secondary('1'))
  const ok = await h.call('get_issue', issue1)
  t.notOk(ok.isError, 'a 1 s wait is worth it (scaled down in tests)')
  t.same(h.standin.requests.map((r) => r.status), [403, 200])
  h.standin.failNext({ method: 'GET', path: '/repos/octo-org/widgets/issues/2' }, secondary('120'))
  const slow = await h.call('get_issue', { ...widgets, issue_number: 2 })
  t.match(textOf(slow), /^GitHub's secondary rate limit \(too many requests in a short time\) stopped issue #2 in octo-org\/widgets\. Retry after 120 seconds/)
})

t.test('creating is never retried: a lost answer must not open two issues', async (t) => {
  const h = await harness(t)
  h.standin.failNext({ method: 'POST', path: '/repos/octo-org/widgets/issues' }, { status: 502 })
  const res = await h.call('create_issue', { ...widgets, title: 'Once only' })
  t.equal(textOf(res), 'GitHub failed while handling repository octo-org/widgets (502). The change may have been made: ' +
    'check (get_issue, list_issues, list_issue_comments) before retrying.', 'a 5xx to a write may hide a change that was made')
  t.equal(h.standin.requests.filter((r) => r.method === 'POST').length, 1)
  h.standin.failNext({ method: 'POST', path: '/repos/octo-org/widgets/issues/2/comments' }, { status: 500 })
  await h.call('add_issue_comment', { ...widgets, issue_number: 2, body: 'once' })
  t.equal(h.standin.requests.filter((r) => r.method === 'POST').length, 2, 'comments neither')
  h.standin.failNext({ method: 'POST', path: '/repos/octo-org/widgets/issues/2/labels' }, { status: 502 })
  const labelled = await h.call('batch_label_issues', { ...widgets, issue_numbers: [2], labels: ['bug'] })
  t.match(labelled.structuredContent, { labelled: [2] }, 'adding labels is idempotent, so it is retried')
})

// 5xx retried, resets, hangs, truncated and huge answers: ../upstream/hostile.test.ts
t.test('GitHub unreachable', async (t) => {
  const dead = await harness(t, { domain: { baseUrl: `http://127.0.0.1:${await freePort()}` } }) // nothing listens there
  const res = await dead.call('get_issue', issue1)
  t.equal(textOf(res), 'Could not reach GitHub for issue #1 in octo-org/widgets. Retry in a minute.')
  const write = await dead.call('create_issue', { ...widgets, title: 'never sent' })
  t.equal(textOf(write), 'Could not reach GitHub for repository octo-org/widgets. Retry in a minute.', 'a write that could not connect was not made')
})

t.test('403 without a rate limit is a permission problem', async (t) => {
  const h = await harness(t)
  h.standin.failNext({ method: 'PATCH', path: ISSUE1_PATH }, { status: 403, message: 'Resource not accessible by integration' })
  const res = await h.call('update_issue', { ...issue1, title: 'x' })
  t.equal(textOf(res), 'GitHub refused access to issue #1 in octo-org/widgets (403): the gateway\'s token lacks permission for it. ' +
    'GitHub says: "Resource not accessible by integration". Retrying will not help.')
})

t.test('refusals the gateway decides on itself are actionable, not internal errors', async (t) => {
  const { explain } = await import('../../../src/github/presentation/errors.js')
  const { BudgetExhaustedError, ClientClosedError } = await import('../../../src/github/upstream/budget-errors.js')
  const budget = explain(new BudgetExhaustedError('search', 'search', '30 a minute', 40))
  t.same(budget, { message: 'GitHub search budget exhausted (30 a minute): nothing was sent; try again in about 40 s.', status: null, internal: false })
  t.match(explain(new ClientClosedError()), { message: /shutting down; nothing was sent/, internal: false })
})
