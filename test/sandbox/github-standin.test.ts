import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'

const s = await startGitHubStandin()
t.teardown(() => s.close())
t.beforeEach(() => s.reset())

const AUTH = { authorization: `token ${SANDBOX_TOKEN}` }
const get = (path: string, headers: Record<string, string> = AUTH) => fetch(s.url + path, { headers })
// Only the fields these tests read; full shapes are checked in shapes.test.ts.
const json = async (r: Response) => (await r.json()) as { message: string; login: string; title: string }

t.test('binds to loopback on an ephemeral port', async (t) => {
  t.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/)
})

t.test('every response carries GitHub headers', async (t) => {
  const res = await get('/repos/octo-org/widgets')
  t.equal(res.status, 200)
  t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
  t.equal(res.headers.get('x-github-api-version-selected'), '2022-11-28')
  t.match(res.headers.get('x-github-request-id'), /^[0-9A-F]{4}:/)
  t.equal(res.headers.get('x-ratelimit-limit'), '5000')
  t.equal(res.headers.get('x-ratelimit-remaining'), '4999')
  t.equal(res.headers.get('x-ratelimit-used'), '1')
  t.equal(res.headers.get('x-ratelimit-resource'), 'core')
  t.match(res.headers.get('x-ratelimit-reset'), /^\d{10}$/)
  t.match(res.headers.get('etag'), /^W\/"[0-9a-f]{32}"$/)
  const bearer = await get('/user', { authorization: `Bearer ${SANDBOX_TOKEN}` })
  t.equal((await json(bearer)).login, 'octo-bot', 'Bearer works as well as token')
})

t.test('ETag: If-None-Match answers 304 without body and without using quota', async (t) => {
  const first = await get('/repos/octo-org/widgets/issues/3')
  await first.text()
  const etag = first.headers.get('etag') as string
  const again = await get('/repos/octo-org/widgets/issues/3', { ...AUTH, 'if-none-match': etag })
  t.equal(again.status, 304)
  t.equal(await again.text(), '')
  t.equal(again.headers.get('x-ratelimit-remaining'), '4999', 'the 304 consumed nothing')
  t.equal(again.headers.get('etag'), etag)
  t.same(s.requests.at(-1), { method: 'GET', path: '/repos/octo-org/widgets/issues/3', status: 304, ifNoneMatch: etag })

  const list = await get('/repos/octo-org/widgets/issues')
  await list.text()
  const listTag = list.headers.get('etag') as string
  const write = await fetch(`${s.url}/repos/octo-org/widgets/issues/3/labels`, {
    method: 'POST', headers: AUTH, body: JSON.stringify({ labels: ['question'] }),
  })
  t.equal(write.headers.get('x-ratelimit-remaining'), '4997', 'a write consumes quota')
  const after = await get('/repos/octo-org/widgets/issues/3', { ...AUTH, 'if-none-match': etag })
  t.equal(after.status, 200, 'the write changed the issue, so its old ETag no longer matches')
  t.not(after.headers.get('etag'), etag)
  const listAfter = await get('/repos/octo-org/widgets/issues', { ...AUTH, 'if-none-match': listTag })
  t.equal(listAfter.status, 200, 'and the list containing it changed too')
})

t.test('401 for a missing or wrong token; 404 for unknown routes; 400 for bad JSON', async (t) => {
  const bad = { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }
  const none = await get('/user', {})
  t.equal(none.status, 401)
  t.same(await json(none), bad)
  const wrong = await get('/user', { authorization: 'token nope' })
  t.same([wrong.status, await json(wrong)], [401, bad])
  const unknown = await get('/repos/octo-org/widgets/wiki')
  t.same([unknown.status, (await json(unknown)).message], [404, 'Not Found'])
  const del = await fetch(`${s.url}/repos/octo-org/widgets`, { method: 'DELETE', headers: AUTH })
  t.equal(del.status, 404, 'a known path with an unsupported method is a plain 404')
  const broken = await fetch(`${s.url}/repos/octo-org/widgets/issues`, { method: 'POST', headers: AUTH, body: '{"title":' })
  t.equal(broken.status, 400)
  t.equal((await json(broken)).message, 'Problems parsing JSON')
})

t.test('failNext: the next N matching requests get the fault, then normal answers resume', async (t) => {
  s.failNext({ method: 'GET', path: '/repos/octo-org/widgets/issues/3' },
    { status: 502, message: 'Server Error', headers: { 'Retry-After': '1' }, count: 2 })
  s.failNext({ path: /\/comments$/ }, { status: 500 })
  const other = await get('/repos/octo-org/widgets/issues/4?x=1')
  t.equal(other.status, 200, 'another path is not affected')
  for (let i = 0; i < 2; i++) {
    const r = await get('/repos/octo-org/widgets/issues/3?page=1') // the query does not matter
    t.equal(r.status, 502)
    t.equal(r.headers.get('retry-after'), '1')
    t.equal((await json(r)).message, 'Server Error')
  }
  t.equal((await get('/repos/octo-org/widgets/issues/3')).status, 200, 'count exhausted')
  const c = await get('/repos/octo-org/widgets/issues/3/comments')
  t.same([c.status, (await json(c)).message], [500, 'Internal Server Error'], 'RegExp match, default message')
  t.equal((await get('/repos/octo-org/widgets/issues/3/comments')).status, 200)
})

t.test('setRateLimit: at 0, 403 "API rate limit exceeded" with GitHub headers', async (t) => {
  const reset = Math.floor(Date.now() / 1000) + 1800
  s.setRateLimit(0, reset)
  const r = await get('/repos/octo-org/widgets/issues')
  t.equal(r.status, 403)
  t.match((await json(r)).message, /^API rate limit exceeded for user ID 1002\./)
  t.equal(r.headers.get('x-ratelimit-remaining'), '0')
  t.equal(r.headers.get('x-ratelimit-reset'), String(reset))
  const rl = await get('/rate_limit')
  t.equal(rl.status, 200, '/rate_limit still answers and costs nothing')
  t.match(await json(rl), { resources: { core: { remaining: 0, reset } }, rate: { remaining: 0 } })
  s.setRateLimit(0, Math.floor(Date.now() / 1000) - 1)
  t.equal((await get('/user')).status, 200, 'a reset time in the past refills the window')
  s.setRateLimit(1_000_000)
  const lifted = await get('/user')
  t.same([lifted.headers.get('x-ratelimit-limit'), lifted.headers.get('x-ratelimit-remaining')], ['1000000', '999999'])
})

t.test('latency: setLatency delays every answer; a fault can carry its own delay', async (t) => {
  s.setLatency(120)
  let started = performance.now()
  t.equal((await get('/user')).status, 200)
  t.ok(performance.now() - started >= 100, 'the answer waited for the configured latency')
  s.setLatency(0)
  s.failNext({ path: '/user' }, { status: 503, delayMs: 120 })
  started = performance.now()
  t.equal((await get('/user')).status, 503)
  t.ok(performance.now() - started >= 100)
})

t.test('reset restores seed data, log, faults and quota; state is a live view', async (t) => {
  const state = s.state
  await fetch(`${s.url}/repos/octo-org/widgets/issues`, { method: 'POST', headers: AUTH, body: '{"title":"temp"}' })
  s.failNext({ path: '/user' }, { status: 500, count: 5 })
  s.state.repos[0].issues[0].title = 'mutated directly'
  t.equal((await json(await get('/repos/octo-org/widgets/issues/1'))).title, 'mutated directly', 'direct mutation shows')
  s.reset()
  t.equal(s.requests.length, 0)
  t.equal(state, s.state, 'same object after reset')
  t.equal(s.state.repos[0].issues.length, 41)
  t.equal(s.state.repos[0].issues[0].title, 'Widget renders blank on Safari 16')
  const me = await get('/user')
  t.equal(me.status, 200, 'faults cleared')
  t.equal(me.headers.get('x-ratelimit-remaining'), '4999', 'quota restored')
})
