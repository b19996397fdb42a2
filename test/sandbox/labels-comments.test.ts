import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'

const s = await startGitHubStandin()
t.teardown(() => s.close())
t.beforeEach(() => s.reset())

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(s.url + path, {
    method, headers: { authorization: `token ${SANDBOX_TOKEN}` }, body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
}
const names = (labels: Array<{ name: string }>): string[] => labels.map((l) => l.name)

t.test('POST labels adds (creating unknown ones); PUT replaces', async (t) => {
  const before = await call('GET', '/repos/octo-org/widgets/issues/3')
  t.same(names(before.body.labels), ['bug', 'priority: high'])

  const added = await call('POST', '/repos/octo-org/widgets/issues/3/labels', { labels: ['BUG', 'needs-repro'] })
  t.equal(added.status, 200)
  t.same(names(added.body), ['bug', 'priority: high', 'needs-repro'], 'added; case-insensitive duplicates ignored')
  t.same(Object.keys(added.body[0]), ['id', 'node_id', 'url', 'name', 'color', 'default', 'description'])
  const created = added.body[2]
  t.match(created, { color: 'ededed', default: false, description: null, url: `${s.url}/repos/octo-org/widgets/labels/needs-repro` })
  const repoLabels = await call('GET', '/repos/octo-org/widgets/labels?per_page=100')
  t.ok(names(repoLabels.body).includes('needs-repro'), 'the new label now exists in the repo')

  const bare = await call('POST', '/repos/octo-org/widgets/issues/3/labels', ['question'])
  t.same(names(bare.body), ['bug', 'priority: high', 'needs-repro', 'question'], 'a bare array is accepted too')

  const replaced = await call('PUT', '/repos/octo-org/widgets/issues/3/labels', { labels: ['documentation'] })
  t.equal(replaced.status, 200)
  t.same(names(replaced.body), ['documentation'], 'PUT replaces the whole set')
  t.same(names((await call('GET', '/repos/octo-org/widgets/issues/3')).body.labels), ['documentation'])
  t.same((await call('PUT', '/repos/octo-org/widgets/issues/3/labels', { labels: [] })).body, [], 'PUT [] clears')

  t.equal((await call('POST', '/repos/octo-org/widgets/issues/3/labels', { labels: 'bug' })).status, 422)
  t.equal((await call('POST', '/repos/octo-org/widgets/issues/13/labels', { labels: ['bug'] })).status, 410)
  t.equal((await call('POST', '/repos/octo-org/widgets/issues/999/labels', { labels: ['bug'] })).status, 404)
})

t.test('repo labels: GitHub defaults plus custom ones, paginated with Link', async (t) => {
  const all = await call('GET', '/repos/octo-org/widgets/labels')
  t.equal(all.body.length, 11)
  t.match(all.body[0], { name: 'bug', color: 'd73a4a', default: true, description: "Something isn't working" })
  t.equal(all.headers.get('link'), null)
  const page = await call('GET', '/repos/octo-org/widgets/labels?per_page=5&page=3')
  t.same(names(page.body), ['needs triage'])
  t.match(page.headers.get('link'), /rel="prev", .*rel="first"$/)
  t.equal((await call('GET', '/repos/octo-org/nothing/labels')).status, 404)
})

t.test('comments: oldest first, paginated with Link; POST adds one', async (t) => {
  const p1 = await call('GET', '/repos/octo-org/widgets/issues/3/comments')
  t.equal(p1.body.length, 30, 'default page size 30 of 35')
  t.equal(p1.headers.get('link'),
    `<${s.url}/repos/octo-org/widgets/issues/3/comments?page=2>; rel="next", ` +
    `<${s.url}/repos/octo-org/widgets/issues/3/comments?page=2>; rel="last"`)
  const p2 = await call('GET', '/repos/octo-org/widgets/issues/3/comments?page=2')
  t.equal(p2.body.length, 5)
  const all = [...p1.body, ...p2.body] as Array<{ created_at: string; id: number }>
  t.same(all.map((c) => c.created_at), all.map((c) => c.created_at).sort(), 'oldest first')
  t.same(Object.keys(p1.body[0]).sort(), ['author_association', 'body', 'created_at', 'html_url', 'id', 'issue_url',
    'node_id', 'performed_via_github_app', 'reactions', 'updated_at', 'url', 'user'])
  t.match(p1.body[0].html_url, /^https:\/\/github\.com\/octo-org\/widgets\/issues\/3#issuecomment-\d+$/)

  const made = await call('POST', '/repos/octo-org/widgets/issues/3/comments', { body: 'Looking into it.' })
  t.equal(made.status, 201)
  t.match(made.body, { body: 'Looking into it.', user: { login: 'octo-bot' }, author_association: 'MEMBER' })
  t.equal(made.headers.get('location'), made.body.url)
  t.ok(made.body.id > Math.max(...all.map((c) => c.id)), 'ids keep increasing')
  t.equal((await call('GET', '/repos/octo-org/widgets/issues/3')).body.comments, 36, 'the issue counts it')
  t.equal((await call('POST', '/repos/octo-org/widgets/issues/3/comments', { body: '' })).status, 422)
  t.equal((await call('GET', '/repos/octo-org/widgets/issues/13/comments')).status, 410)
})
