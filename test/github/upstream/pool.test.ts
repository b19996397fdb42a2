// The bottom of the upstream path: undici's request API on the shared Agent, answers read whole and
// bounded, timeouts recognisable.
import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { agentFetch, createAgent, isUpstreamTimeout, UpstreamTooLargeError } from '../../../src/github/upstream/pool.js'

async function upstream (t: Test) {
  const server = createServer((req, res) => {
    if (req.url === '/slow') { setTimeout(() => res.end('late'), 2000).unref(); return }
    if (req.url === '/declared-big') { res.writeHead(200, { 'content-length': '5000' }).end('y'.repeat(5000)); return }
    if (req.url === '/streamed-big') { // no content-length: the bound must hold while reading
      res.writeHead(200, { 'content-type': 'application/json' })
      for (let i = 0; i < 10; i++) res.write('z'.repeat(500))
      res.end()
      return
    }
    res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '42' })
    res.end(JSON.stringify({ path: req.url, method: req.method, auth: req.headers.authorization ?? null }))
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const agent = createAgent(4, 300)
  t.teardown(async () => { await agent.close(); server.closeAllConnections(); server.close() })
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, fetch: agentFetch(agent, 4096) }
}

t.test('status, headers and the whole body', async (t) => {
  const { base, fetch } = await upstream(t)
  const res = await fetch(`${base}/x?y=1`, { method: 'POST', body: '{"a":1}', headers: { authorization: 'token t' } })
  t.equal(res.status, 200)
  t.equal(res.headers.get('X-RateLimit-Remaining'), '42', 'case-insensitive get')
  t.same(JSON.parse(Buffer.from(res.body!).toString()), { path: '/x?y=1', method: 'POST', auth: 'token t' })
  t.equal((await fetch(`${base}/missing`, {})).status, 404)
})

t.test('answers past the byte bound fail cleanly, declared or not', async (t) => {
  const { base, fetch } = await upstream(t)
  await t.rejects(fetch(`${base}/declared-big`, {}), UpstreamTooLargeError)
  await t.rejects(fetch(`${base}/streamed-big`, {}), UpstreamTooLargeError)
  t.equal((await fetch(`${base}/ok`, {})).status, 200, 'the pool still serves')
})

t.test('aborts and timeouts', async (t) => {
  const { base, fetch } = await upstream(t)
  const controller = new AbortController()
  const aborted = fetch(`${base}/slow`, { signal: controller.signal })
  controller.abort()
  await t.rejects(aborted, { name: 'AbortError' })
  const err = await fetch(`${base}/slow`, {}).catch((e: unknown) => e)
  t.ok(isUpstreamTimeout(err), 'the agent header timeout surfaces as an upstream timeout')
  t.notOk(isUpstreamTimeout(new Error('other')))
})
