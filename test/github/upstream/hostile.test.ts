// Answers GitHub (or a proxy in front of it) should not give: each ends in a clean error naming
// GitHub, after one request, since asking again would get the same answer.
import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { memoryLogger } from '../harness.js'
import { createGitHubClient } from '../../../src/github/upstream/client.js'
import { explain } from '../../../src/github/presentation/errors.js'

t.test('HTML, broken JSON and oversized answers: one request each, a clean error', async (t) => {
  const hits = new Map<string, number>()
  const server = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1)
    if (req.url === '/repos/o/r/issues/1') res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Down for maintenance</body></html>')
    else if (req.url === '/repos/o/r/issues' && req.method === 'POST') res.writeHead(201, { 'content-type': 'text/html' }).end('<html>Created</html>')
    else if (req.url === '/repos/o/r/issues/2') res.writeHead(200, { 'content-type': 'application/json' }).end('{"number": 2, "title": "cut sho')
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ number: 3, body: 'x'.repeat(300_000) }))
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  const client = createGitHubClient({
    token: 't', baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, logger: memoryLogger([]),
    maxResponseBytes: 256 * 1024, retryBaseMs: 5,
  })
  t.teardown(async () => { await client.close(); server.closeAllConnections(); server.close() })
  const failure = (n: number) => client.api.rest.issues.get({ owner: 'o', repo: 'r', issue_number: n }).then(() => null, (e: unknown) => explain(e))

  const html = await failure(1)
  t.match(html, { internal: false, message: /^GitHub \(or a proxy in front of it\) answered 200 with something that is not GitHub's JSON \(text\/html\)/ })
  const broken = await failure(2)
  t.match(broken, { internal: false, message: /not GitHub's JSON \(application\/json\)/ })
  const huge = await failure(3)
  t.match(huge, { internal: false, message: /^GitHub's answer was larger than the gateway accepts \(256 KiB\)/ })
  t.match(html?.message, /Retry later\.$/, 'a read may simply be asked again')
  const created = await client.api.rest.issues.create({ owner: 'o', repo: 'r', title: 'x' }).then(() => null, (e: unknown) => explain(e))
  t.match(created, { internal: false, message: /answered 201 .*The change may have been made: check .* before retrying\.$/ }, 'a write that may have landed is not retried blindly')
  t.same([...hits.values()], [1, 1, 1, 1], 'none retried')
})
