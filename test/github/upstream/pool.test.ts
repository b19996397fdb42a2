import t from 'tap'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import { createAgent, pooledFetch, isUpstreamTimeout } from '../../../src/github/upstream/pool.js'

// The fetch-shaped adapter Octokit calls: what Octokit reads of a Response must behave like fetch.
t.test('status, headers, body, redirects, aborts and timeouts', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/old') { res.writeHead(301, { location: '/new' }); res.end(); return }
    if (req.url === '/slow') { setTimeout(() => res.end('late'), 2000).unref(); return }
    const body: Buffer[] = []
    req.on('data', (c) => body.push(c))
    req.on('end', () => {
      res.setHeader('set-cookie', ['a=1', 'b=2'])
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '42' })
      res.end(JSON.stringify({ path: req.url, method: req.method, auth: req.headers.authorization ?? null, body: Buffer.concat(body).toString() }))
    })
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const agent = createAgent(4, 300)
  t.teardown(() => agent.close())
  const fetch = pooledFetch(agent)

  const res = await fetch(`${base}/x?y=1`, { method: 'POST', body: '{"a":1}', headers: { authorization: 'token t' } })
  t.equal(res.status, 200)
  t.equal(res.headers.get('X-RateLimit-Remaining'), '42', 'case-insensitive get')
  t.equal(res.headers.get('set-cookie'), 'a=1, b=2', 'repeated headers joined as fetch does')
  t.ok([...res.headers].some(([k]) => k === 'content-type'), 'iterable')
  t.same(await res.json(), { path: '/x?y=1', method: 'POST', auth: 'token t', body: '{"a":1}' })

  const moved = await fetch(`${base}/old`)
  t.equal(moved.status, 200, 'a 301 is followed')
  t.match(await moved.text(), /"path":"\/new"/)

  const missing = await fetch(`${base}/missing`)
  t.equal(missing.status, 404)
  await missing.text()

  const controller = new AbortController()
  const aborted = fetch(`${base}/slow`, { signal: controller.signal })
  controller.abort()
  await t.rejects(aborted, { name: 'AbortError' })

  const err = await fetch(`${base}/slow`).catch((e: unknown) => e)
  t.ok(isUpstreamTimeout(err), 'the agent header timeout surfaces as an upstream timeout')
})

t.test('redirects: credentials stay on their origin, 303 turns into a GET, the hop count is bounded', async (t) => {
  const seen: Array<{ port: number, method?: string, url?: string, auth?: string, type?: string, body: string }> = []
  const handler = (port: () => number) => (req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      seen.push({ port: port(), method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body })
      if (req.url === '/away') { res.writeHead(302, { location: `${otherBase}/landing` }).end(); return }
      if (req.url === '/see-other') { res.writeHead(303, { location: '/result' }).end(); return }
      if (req.url === '/loop') { res.writeHead(307, { location: '/loop' }).end(); return }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`at ${req.url}`)
    })
  }
  const portOf = (s: Server): number => (s.address() as { port: number }).port
  const main: Server = createServer(handler(() => portOf(main))).listen(0, '127.0.0.1')
  const other: Server = createServer(handler(() => portOf(other))).listen(0, '127.0.0.1')
  await Promise.all([once(main, 'listening'), once(other, 'listening')])
  const base = `http://127.0.0.1:${portOf(main)}`
  const otherBase = `http://127.0.0.1:${portOf(other)}`
  const agent = createAgent(4, 1000)
  t.teardown(async () => { await agent.close(); main.close(); other.close() })
  const fetch = pooledFetch(agent)
  const auth = { authorization: 'token secret' }

  const away = await fetch(`${base}/away`, { headers: auth })
  t.equal(await away.text(), 'at /landing')
  t.equal(away.url, `${otherBase}/landing`, 'the final URL, as fetch reports it')
  t.same(seen.map((s) => [s.port === portOf(main) ? 'main' : 'other', s.auth]), [['main', 'token secret'], ['other', undefined]],
    'the token is not sent to another origin')

  seen.length = 0
  const posted = await fetch(`${base}/see-other`, { method: 'POST', body: '{"a":1}', headers: { ...auth, 'content-type': 'application/json' } })
  t.equal(await posted.text(), 'at /result')
  t.match(seen[1], { method: 'GET', url: '/result', auth: 'token secret', type: undefined, body: '' }, '303: GET, no body, same origin keeps the token')

  seen.length = 0
  const loop = await fetch(`${base}/loop`)
  t.equal(loop.status, 307, 'after 3 hops the redirect itself is the answer')
  t.equal(seen.length, 4)
})

t.test('a signal aborted before the request starts rejects without a request', async (t) => {
  let requests = 0
  const server = createServer((_req, res) => { requests++; res.end('x') }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const agent = createAgent(1, 1000)
  t.teardown(async () => { await agent.close(); server.close() })
  const controller = new AbortController()
  controller.abort()
  await t.rejects(pooledFetch(agent)(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, { signal: controller.signal }), { name: 'AbortError' })
  t.equal(requests, 0)
})
