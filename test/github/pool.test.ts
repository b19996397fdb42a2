import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { createAgent, pooledFetch, isUpstreamTimeout } from '../../src/github/pool.js'

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
