import http from 'node:http'
import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN, type GitHubStandin } from '../../sandbox/github-standin.js'
import { createSeed } from '../../sandbox/seed.js'

function request(agent: http.Agent, url: string): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { authorization: `token ${SANDBOX_TOKEN}` } }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }))
    })
    req.on('error', reject)
  })
}

t.test('keep-alive: pooled connections are reused', async (t) => {
  const s = await startGitHubStandin()
  t.teardown(() => s.close())
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const a = await request(agent, `${s.url}/repos/octo-org/widgets/issues`)
  const b = await request(agent, `${s.url}/repos/octo-org/widgets/issues/3`)
  t.same([a.status, b.status], [200, 200])
  t.equal(b.reused, true, 'the second request went over the first socket')
})

t.test('close() closes the server and idle keep-alive sockets; later requests are refused', async (t) => {
  const s = await startGitHubStandin()
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  t.equal((await request(agent, `${s.url}/user`)).status, 200)
  await s.close() // would hang on the idle pooled socket if keep-alive connections were left open
  await t.rejects(fetch(`${s.url}/user`), 'a fresh connection is refused')
  await t.rejects(request(agent, `${s.url}/user`), 'the pooled socket is gone too')
  await s.close() // idempotent
})

t.test('close() does not wait for answers held back by latency', async (t) => {
  const s = await startGitHubStandin({ latencyMs: 60_000 })
  const req = http.get(`${s.url}/user`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  const outcome = new Promise<string>((resolve) => {
    req.on('response', () => resolve('answered'))
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'))
  })
  await new Promise((resolve) => req.on('finish', resolve)) // the request is fully on the wire
  await s.close() // without closing active sockets this would wait the full minute
  t.equal(await outcome, 'ECONNRESET', 'the held request is cut off, not answered late')
})

t.test('options: token, host, seed; instances never share state', async (t) => {
  const seed = createSeed()
  seed.repos = seed.repos.filter((r) => r.name === 'dotfiles')
  const a = await startGitHubStandin({ token: 'other', seed, host: '127.0.0.1' })
  const b = await startGitHubStandin()
  t.teardown(() => Promise.all([a.close(), b.close()]))
  const auth = { authorization: 'token other' }
  t.equal((await fetch(`${a.url}/user`, { headers: auth })).status, 200)
  t.equal((await fetch(`${a.url}/user`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })).status, 401,
    'only the configured token is accepted')
  t.equal((await fetch(`${a.url}/repos/octo-org/widgets`, { headers: auth })).status, 404, 'custom seed used')
  seed.repos[0].name = 'renamed-after-start'
  t.equal((await fetch(`${a.url}/repos/octo-user/dotfiles`, { headers: auth })).status, 200, 'the seed was copied')
  a.state.repos[0].issues[0].title = 'changed in a'
  const other: GitHubStandin = b
  t.equal(other.state.repos[2].issues[0].title, 'zsh prompt is slow inside large git repos')
})

t.test('a port in use is reported, not swallowed', async (t) => {
  const s = await startGitHubStandin()
  t.teardown(() => s.close())
  const port = Number(new URL(s.url).port)
  await t.rejects(startGitHubStandin({ port }), { code: 'EADDRINUSE' })
})
