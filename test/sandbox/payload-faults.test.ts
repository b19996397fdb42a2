// Payload faults (faults.ts): answers keep GitHub's status and headers while their JSON body is changed.
import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'

const s = await startGitHubStandin()
t.teardown(() => s.close())
t.beforeEach(() => s.reset())

const AUTH = { authorization: `token ${SANDBOX_TOKEN}` }
const get = (path: string, headers: Record<string, string> = AUTH) => fetch(s.url + path, { headers })
const ISSUE = '/repos/octo-org/widgets/issues/3'

t.test('a rewrite changes matching successful answers until it is undone', async (t) => {
  const plain = await get(ISSUE)
  const etag = plain.headers.get('etag') as string
  t.equal(((await plain.json()) as { labels: unknown[] }).labels.length, 2)
  const undo = s.rewriteBodies({ method: 'GET', path: ISSUE }, (b) => ({ ...(b as object), labels: null }))
  const changed = await get(ISSUE, { ...AUTH, 'if-none-match': etag })
  t.equal(changed.status, 200, 'a changed body has a new ETag: the old one no longer matches')
  t.not(changed.headers.get('etag'), etag)
  t.match(await changed.json(), { number: 3, labels: null })
  const other = (await (await get('/repos/octo-org/widgets/issues/1')).json()) as { labels: unknown }
  t.not(other.labels, null, 'other paths are untouched')
  const missing = await get('/repos/octo-org/widgets/issues/9999')
  t.match(await missing.json(), { message: 'Not Found' }, 'error answers are never rewritten')
  undo()
  t.equal(((await (await get(ISSUE)).json()) as { labels: unknown[] }).labels.length, 2, 'undone')
})

t.test('lists and write answers can be rewritten; the stand-in\'s own data is not touched', async (t) => {
  s.rewriteBodies({ path: /\/issues$/ }, (b) => (Array.isArray(b) ? [null, ...b.slice(1)] : { ...(b as object), number: 'x' }))
  const list = (await (await get('/repos/octo-org/gadgets/issues')).json()) as unknown[]
  t.equal(list[0], null)
  const created = await fetch(`${s.url}/repos/octo-org/gadgets/issues`, {
    method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'New' }),
  })
  t.equal(created.status, 201)
  t.match(await created.json(), { number: 'x', title: 'New' })
  t.ok(s.state.repos[1].issues.every((i) => typeof i.number === 'number'), 'seed records unchanged')
})
