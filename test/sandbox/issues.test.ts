import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN, type GitHubStandin } from '../../sandbox/github-standin.js'
import { daysAgo } from '../../sandbox/seed.js'

const s = await startGitHubStandin()
t.teardown(() => s.close())
t.beforeEach(() => s.reset())

interface Issue { number: number; state: string; labels: Array<{ name: string }>; updated_at: string; pull_request?: Record<string, unknown> }

async function call(st: GitHubStandin, method: string, path: string, body?: unknown) {
  const res = await fetch(st.url + path, {
    method,
    headers: { authorization: `token ${SANDBOX_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
}

const nextLink = (link: string | null): string | undefined =>
  /<([^>]+)>; rel="next"/.exec(link ?? '')?.[1]

t.test('default list: open items, newest first, PRs mixed in with a pull_request key', async (t) => {
  const r = await call(s, 'GET', '/repos/octo-org/widgets/issues')
  const items = r.body as Issue[]
  t.equal(r.status, 200)
  t.equal(items.length, 27, 'all 27 open items fit on the default page of 30')
  t.equal(r.headers.get('link'), null, 'no Link header when there is only one page')
  t.ok(items.every((i) => i.state === 'open'))
  t.same(items.slice(0, 3).map((i) => i.number), [41, 40, 39])
  const pr = items.find((i) => i.number === 40)
  t.same(Object.keys(pr?.pull_request ?? {}), ['url', 'html_url', 'diff_url', 'patch_url', 'merged_at'])
  t.match(pr?.pull_request, { url: `${s.url}/repos/octo-org/widgets/pulls/40`, html_url: 'https://github.com/octo-org/widgets/pull/40' })
  t.notOk('pull_request' in (items.find((i) => i.number === 41) ?? {}), 'plain issues carry no pull_request key')
  t.ok(items.filter((i) => i.pull_request).length >= 5, 'several PRs among the open items')
})

t.test('Link header pagination keeps the other query parameters', async (t) => {
  const base = `${s.url}/repos/octo-org/widgets/issues`
  const p2 = await call(s, 'GET', '/repos/octo-org/widgets/issues?state=all&per_page=10&page=2')
  t.equal((p2.body as Issue[]).length, 10)
  t.equal(p2.headers.get('link'),
    `<${base}?state=all&per_page=10&page=1>; rel="prev", <${base}?state=all&per_page=10&page=3>; rel="next", ` +
    `<${base}?state=all&per_page=10&page=4>; rel="last", <${base}?state=all&per_page=10&page=1>; rel="first"`)
  const p1 = await call(s, 'GET', '/repos/octo-org/widgets/issues?state=all&per_page=10')
  t.equal(p1.headers.get('link'),
    `<${base}?state=all&per_page=10&page=2>; rel="next", <${base}?state=all&per_page=10&page=4>; rel="last"`,
    'first page: page is appended, only next and last')

  const seen: number[] = []
  let url: string | undefined = `${base}?state=all&per_page=7`
  while (url) {
    const r = await call(s, 'GET', url.slice(s.url.length))
    seen.push(...(r.body as Issue[]).map((i) => i.number))
    url = nextLink(r.headers.get('link'))
  }
  t.equal(seen.length, 40, 'following rel="next" visits every item once')
  t.equal(new Set(seen).size, 40)
  t.notOk(seen.includes(13), 'the deleted issue is never listed')
  const over = await call(s, 'GET', '/repos/octo-org/widgets/issues?per_page=500')
  t.equal((over.body as Issue[]).length, 27, 'per_page is capped at 100, not refused')
})

t.test('filters: state, labels (all must match), since, sort and direction', async (t) => {
  const closed = (await call(s, 'GET', '/repos/octo-org/widgets/issues?state=closed')).body as Issue[]
  t.ok(closed.length > 0 && closed.every((i) => i.state === 'closed'))
  const both = (await call(s, 'GET', '/repos/octo-org/widgets/issues?labels=bug,priority:%20high')).body as Issue[]
  t.same(both.map((i) => i.number).sort((a, b) => a - b), [3, 15])
  const since = daysAgo(7)
  const recent = (await call(s, 'GET', `/repos/octo-org/widgets/issues?state=all&since=${since}`)).body as Issue[]
  t.ok(recent.length >= 5, 'several items were updated in the week before the base date')
  t.ok(recent.every((i) => i.updated_at >= since))
  const asc = (await call(s, 'GET', '/repos/octo-org/widgets/issues?sort=updated&direction=asc')).body as Issue[]
  t.same(asc.map((i) => i.updated_at), asc.map((i) => i.updated_at).sort())
})

t.test('get one issue; 404 and 410 like GitHub', async (t) => {
  const pr = await call(s, 'GET', '/repos/octo-org/widgets/issues/21')
  t.equal(pr.status, 200)
  t.equal(pr.body.html_url, 'https://github.com/octo-org/widgets/pull/21')
  t.ok(pr.body.pull_request)
  t.same((await call(s, 'GET', '/repos/octo-org/widgets/issues/9999')).body, {
    message: 'Not Found', documentation_url: 'https://docs.github.com/rest/issues/issues#get-an-issue', status: '404',
  })
  t.equal((await call(s, 'GET', '/repos/octo-org/nope/issues/1')).status, 404)
  const gone = await call(s, 'GET', '/repos/octo-org/widgets/issues/13')
  t.equal(gone.status, 410)
  t.equal(gone.body.message, 'This issue was deleted')
})

t.test('create: 201 with Location; 422 Validation Failed shapes', async (t) => {
  const r = await call(s, 'POST', '/repos/octo-org/gadgets/issues',
    { title: 'New gadget idea', body: 'details', labels: ['enhancement', 'brand-new'], assignees: ['alice'] })
  t.equal(r.status, 201)
  t.equal(r.body.number, 7)
  t.equal(r.headers.get('location'), `${s.url}/repos/octo-org/gadgets/issues/7`)
  t.same(r.body.labels.map((l: { name: string }) => l.name), ['enhancement', 'brand-new'])
  t.equal(r.body.user.login, 'octo-bot')
  t.equal(r.body.assignee.login, 'alice')
  t.ok(s.state.repos[1].labels.some((l) => l.name === 'brand-new'), 'unknown label created in the repo')
  t.equal((await call(s, 'GET', '/repos/octo-org/gadgets/issues/7')).body.title, 'New gadget idea')

  const missing = await call(s, 'POST', '/repos/octo-org/gadgets/issues', { body: 'no title' })
  t.same(missing.body, {
    message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
    documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue', status: '422',
  })
  t.equal(missing.status, 422)
  t.equal((await call(s, 'POST', '/repos/octo-org/gadgets/issues', { title: '  ' })).status, 422, 'blank title')
  const who = await call(s, 'POST', '/repos/octo-org/gadgets/issues', { title: 'x', assignees: ['nobody'] })
  t.equal(who.status, 422)
  t.same(who.body.errors, [{ resource: 'Issue', code: 'invalid', field: 'assignees', value: 'nobody' }])
})

t.test('update: close, reopen, labels replaced, assignees', async (t) => {
  const closed = await call(s, 'PATCH', '/repos/octo-org/widgets/issues/3',
    { state: 'closed', state_reason: 'not_planned', labels: ['wontfix'], assignees: [] })
  t.equal(closed.status, 200)
  t.match(closed.body, { state: 'closed', state_reason: 'not_planned', assignee: null, closed_by: { login: 'octo-bot' } })
  t.type(closed.body.closed_at, 'string')
  t.same(closed.body.labels.map((l: { name: string }) => l.name), ['wontfix'], 'PATCH labels replaces the set')
  const reopened = await call(s, 'PATCH', '/repos/octo-org/widgets/issues/3', { state: 'open' })
  t.match(reopened.body, { state: 'open', state_reason: 'reopened', closed_at: null })
  t.equal((await call(s, 'PATCH', '/repos/octo-org/widgets/issues/3', { state: 'shut' })).status, 422)
  t.equal((await call(s, 'PATCH', '/repos/octo-org/widgets/issues/13', { title: 'x' })).status, 410)
})
