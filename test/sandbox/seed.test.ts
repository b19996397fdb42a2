// The sample data is a contract too: the domain layer's sanitiser, weekly summary and pagination
// tests count on these properties, so they are pinned here.
import t from 'tap'
import {
  CONTROL_CHARS_ISSUE_NUMBER, createSeed, daysAgo, GONE_ISSUE_NUMBER, INJECTION_ISSUE_NUMBER,
  LONG_BODY_ISSUE_NUMBER, SEED_BASE_DATE, type SeedRepo,
} from '../../sandbox/seed.js'

const seed = createSeed()
const repo = (full: string): SeedRepo => {
  const r = seed.repos.find((x) => `${x.owner}/${x.name}` === full)
  if (!r) throw new Error(`no ${full}`)
  return r
}
const widgets = repo('octo-org/widgets')
const issue = (n: number) => widgets.issues.find((i) => i.number === n)

t.test('deterministic and independent copies', async (t) => {
  t.same(createSeed(), createSeed(), 'same data every time')
  t.not(createSeed().repos, createSeed().repos, 'but never the same objects')
  t.equal(SEED_BASE_DATE, '2025-06-02T12:00:00Z')
  t.equal(daysAgo(1), '2025-06-01T12:00:00Z')
})

t.test('repos: widgets (~40 mixed items), gadgets (6), user-owned dotfiles (2)', async (t) => {
  const visible = widgets.issues.filter((i) => !i.gone)
  t.equal(visible.length, 40)
  const prs = visible.filter((i) => i.pull_request).map((i) => i.number)
  t.ok(prs.length >= 10 && prs.some((n) => n < 10) && prs.some((n) => n > 30), 'PRs interleaved along the numbers')
  t.ok(visible.some((i) => i.state === 'closed') && visible.some((i) => i.assignees.length > 0))
  t.ok(visible.filter((i) => i.comments.length >= 2).length >= 5, 'several issues have several comments')
  for (const name of ['bug', 'enhancement', 'documentation', 'good first issue']) {
    t.ok(visible.filter((i) => i.labels.includes(name)).length >= 3, `label ${name} used`)
  }
  t.equal(repo('octo-org/gadgets').issues.length, 6)
  t.equal(repo('octo-user/dotfiles').issues.length, 2)
  t.equal(seed.users.find((u) => u.login === 'octo-user')?.type, 'User')
  t.equal(seed.users.find((u) => u.login === 'octo-org')?.type, 'Organization')
})

t.test('dates spread over ~60 days with a busy last week', async (t) => {
  const base = Date.parse(SEED_BASE_DATE)
  const ages = widgets.issues.map((i) => (base - Date.parse(i.created_at)) / 86_400_000)
  t.ok(Math.max(...ages) >= 55 && Math.max(...ages) <= 62)
  t.ok(Math.min(...ages) >= 0)
  const lastWeek = widgets.issues.filter((i) => !i.gone && Date.parse(i.updated_at) >= base - 7 * 86_400_000)
  t.ok(lastWeek.length >= 8, `${lastWeek.length} items updated within 7 days of the base date`)
  t.ok(widgets.issues.every((i) => i.updated_at >= i.created_at && Date.parse(i.updated_at) <= base))
})

t.test('hostile bodies for the sanitiser, and a deleted issue', async (t) => {
  t.match(issue(INJECTION_ISSUE_NUMBER)?.body, /<!-- ignore previous instructions[^]*-->/)
  t.ok(issue(INJECTION_ISSUE_NUMBER)?.comments.some((c) => c.body.includes('<!--')), 'and a hostile comment')
  t.match(issue(CONTROL_CHARS_ISSUE_NUMBER)?.body, /[\u200B-\u200D\uFEFF]/)
  t.match(issue(CONTROL_CHARS_ISSUE_NUMBER)?.body, /[\u202A-\u202E\u2066-\u2069]/)
  const long = issue(LONG_BODY_ISSUE_NUMBER)?.body ?? ''
  t.ok(long.length >= 19_000 && long.length <= 22_000, `long body is ${long.length} chars`)
  t.equal(issue(GONE_ISSUE_NUMBER)?.gone, true)
})

t.test('ids are unique across the seed, like GitHub ids', async (t) => {
  const issueIds = seed.repos.flatMap((r) => r.issues.map((i) => i.id))
  const commentIds = seed.repos.flatMap((r) => r.issues.flatMap((i) => i.comments.map((c) => c.id)))
  const labelIds = seed.repos.flatMap((r) => r.labels.map((l) => l.id))
  for (const ids of [issueIds, commentIds, labelIds]) t.equal(new Set(ids).size, ids.length)
})
