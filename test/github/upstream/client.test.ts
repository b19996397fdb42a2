// The process-wide client: identification, conditional requests and their invalidation, the
// cache bound, and closing the pool.
import t from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { harness, memoryLogger, textOf } from '../harness.js'
import { createGitHubClient } from '../../../src/github/upstream/client.js'
import { EtagCache, STALE } from '../../../src/github/upstream/etag-cache.js'
import { invalidatedBy } from '../../../src/github/upstream/issue-change.js'
import { withConditionalRequests } from '../../../src/github/upstream/conditional.js'
import type { Snapshot, UpstreamInit } from '../../../src/github/upstream/pool.js'
import { Headers } from 'undici'
import pkg from '../../../package.json' with { type: 'json' }

const issue = (n: number) => ({ owner: 'octo-org', repo: 'widgets', issue_number: n })

t.test('identifies itself with a versioned User-Agent and the token', async (t) => {
  const seen: IncomingHttpHeaders[] = []
  const upstream = createServer((req, res) => {
    seen.push(req.headers)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"login":"octo-bot"}')
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const client = createGitHubClient({
    token: 'tok-123', baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/api/v3/`, logger: memoryLogger([]),
  })
  t.teardown(async () => { await client.close(); upstream.close() })
  await client.api.rest.users.getAuthenticated()
  t.equal(seen[0]['user-agent']?.split(' ')[0], `github-issues-mcp-gateway/${pkg.version}`)
  t.equal(seen[0].authorization, 'token tok-123')
  t.match(seen[0].accept, 'application/vnd.github')
})

t.test('a repeated read is a conditional request; a 304 still returns the issue', async (t) => {
  const h = await harness(t)
  const first = await h.call('get_issue', issue(1))
  const second = await h.call('get_issue', issue(1))
  t.same(second, first, 'same answer from the cached body')
  t.match(h.standin.requests, [{ status: 200 }, { status: 304, ifNoneMatch: /^W\/"/ }])
  t.match(h.domain.stats(), { etagHits: 1, etagMisses: 0, etagEntries: 1 })
})

t.test('a write marks what it may have changed for revalidation: changed answers come back whole, unchanged ones as free 304s', async (t) => {
  const h = await harness(t)
  await h.call('get_issue', issue(3))
  await h.call('list_issues', { owner: 'octo-org', repo: 'widgets' })
  await h.call('get_issue', issue(30))
  await h.call('list_issues', { owner: 'octo-org', repo: 'gadgets' })
  t.equal(h.domain.stats().etagEntries, 4)
  await h.call('update_issue', { ...issue(3), labels: ['question'] })
  t.equal(h.domain.stats().etagEntries, 4, 'entries keep their ETags')
  h.standin.requests.length = 0
  const after = await h.call('get_issue', issue(3))
  t.same((after.structuredContent as { labels: string[] }).labels, ['question'], 'the change is seen')
  t.same(h.standin.requests, [{ method: 'GET', path: '/repos/octo-org/widgets/issues/3', status: 200, ifNoneMatch: h.standin.requests[0]?.ifNoneMatch }])
  t.ok(h.standin.requests[0]?.ifNoneMatch, 'asked conditionally: GitHub decides what changed')
  await h.call('get_issue', issue(30))
  t.match(h.standin.requests.at(-1), { path: '/repos/octo-org/widgets/issues/30', status: 304 }, 'an unchanged issue of the same repository costs no quota')
  await h.call('list_issues', { owner: 'octo-org', repo: 'gadgets' })
  t.match(h.standin.requests.at(-1), { status: 304 }, 'another repository stays cached')
})

t.test('the cache is bounded', async (t) => {
  const h = await harness(t, { domain: { etagCacheSize: 2 } })
  for (const n of [1, 2, 3]) await h.call('get_issue', issue(n))
  t.equal(h.domain.stats().etagEntries, 2)
  h.standin.requests.length = 0
  await h.call('get_issue', issue(1))
  await h.call('get_issue', issue(3))
  t.same(h.standin.requests.map((r) => r.status), [200, 304], 'the oldest entry was evicted, a recent one kept')
})

t.test('cache keys carry the credential identity, the Accept header and the URL', async (t) => {
  const a = new EtagCache({ maxEntries: 10, maxBytes: 1e6 })
  t.not(a.key('token one', 'application/json', 'https://x/repos/o/r'), a.key('token two', 'application/json', 'https://x/repos/o/r'))
  t.equal(a.key('token one', 'application/json', 'https://x/y'), a.key('token one', 'application/json', 'https://x/y'))
  t.not(a.key('token one', 'application/json', 'https://x/y'), a.key('token one', 'application/vnd.github.text-match+json', 'https://x/y'))
  t.notMatch(a.key('token one', 'application/json', 'https://x/y'), /one/, 'the key holds a hash of the credential, never the credential')
  t.same(invalidatedBy('/repos/o/r/issues/5/labels'), ['/repos/o/r/issues', '/search/issues'])
  t.same(invalidatedBy('/user'), ['/user'])
})

t.test('close() ends the keep-alive pool and the budgets', async (t) => {
  const h = await harness(t)
  await h.call('get_issue', issue(1))
  await h.domain.close()
  const res = await h.call('get_issue', issue(2))
  t.equal(res.isError, true, 'no upstream after close')
  t.equal(textOf(res), 'The gateway is shutting down; nothing was sent to GitHub. Retry in a moment.')
  t.equal(h.standin.requests.length, 1)
})

t.test('a read in flight during a write keeps its (maybe stale) copy only to be revalidated', async (t) => {
  const cache = new EtagCache({ maxEntries: 10, maxBytes: 1e6 })
  let release: (() => void) | undefined
  const inner = async (_url: string, init: UpstreamInit): Promise<Snapshot> => {
    if ((init.method ?? 'GET') === 'GET') await new Promise<void>((resolve) => { release = resolve })
    return { status: 200, headers: new Headers({ etag: 'W/"old"' }), body: Buffer.from('{"title":"before the write"}') }
  }
  const fetch = withConditionalRequests(inner, cache, 'http://gh')
  const reading = fetch('http://gh/repos/o/r/issues/3', {})
  await fetch('http://gh/repos/o/r/issues/3', { method: 'PATCH', body: '{}' })
  release!()
  await reading
  const key = cache.key('', '', 'http://gh/repos/o/r/issues/3')
  t.equal(cache.get(key)?.checkedAt, STALE, 'the write finished while it was in flight (and GitHub\'s answer to it was no issue to apply): never served without asking GitHub')
  const again = fetch('http://gh/repos/o/r/issues/3', {})
  release!()
  await again
  t.ok(cache.get(key)!.checkedAt > STALE, 'a read started after the write is cached as usual')
})

t.test('the cache is bounded in bytes as well as entries, and keeps only whole JSON documents', async (t) => {
  const cache = new EtagCache({ maxEntries: 100, maxBytes: 40_000 })
  const json = (bytes: number) => Buffer.from(`[${' '.repeat(bytes - 2)}]`)
  const entry = (n: number, bytes: number) => ({ path: `/repos/o/r/issues/${n}`, url: `https://x/repos/o/r/issues/${n}`, accept: '', etag: `"${n}"`, answer: { status: 200, headers: new Headers(), body: json(bytes) }, checkedAt: 0 })
  for (let n = 1; n <= 8; n++) cache.set(`k${n}`, entry(n, 8_000))
  t.ok(cache.stats().etagBytes <= 40_000, `${cache.stats().etagBytes} bytes kept`)
  t.equal(cache.stats().etagEntries, 4, 'the oldest went to make room')
  t.ok(cache.get('k8') && !cache.get('k1'))
  cache.set('huge', entry(99, 20_000))
  t.equal(cache.get('huge'), undefined, 'an answer larger than a quarter of the cache is not kept')
  t.ok(cache.get('k8'), 'and does not push the others out')
  for (const [name, body] of [['cut', '{"number": 2, "title": "cut sho'], ['cut at a brace', '{"number": 2, "user": {"login": "a"}'], ['html', '<html>Down for maintenance</html>'], ['empty', '']]) {
    cache.set(name, { ...entry(1, 10), answer: { status: 200, headers: new Headers(), body: Buffer.from(body) } })
    t.equal(cache.get(name), undefined, `a ${name} answer is not kept`)
  }
  cache.set('padded', { ...entry(1, 10), answer: { status: 200, headers: new Headers(), body: Buffer.from(' \n{"a":1}\n') } })
  t.ok(cache.get('padded'), 'white space around a JSON document is fine')
})

t.test('a large issue does not fill the cache: through the client, bytes stay under the bound', async (t) => {
  const h = await harness(t, { domain: { etagCacheBytes: 64 * 1024 } })
  const big = h.standin.state.repos[0].issues.find((i) => i.number === 2)!
  big.body = 'x'.repeat(60 * 1024)
  await h.call('get_issue', issue(2))
  for (const n of [1, 3, 4, 5]) await h.call('get_issue', issue(n))
  t.ok(h.domain.stats().etagBytes <= 64 * 1024, `${h.domain.stats().etagBytes} bytes`)
  t.equal(h.domain.stats().etagEntries, 4, 'the oversized answer was served but not kept')
})

t.test('an issue changed on GitHub (new ETag) is answered fresh, not from a remembered answer', async (t) => {
  const h = await harness(t)
  const before = await h.call('get_issue', issue(2))
  await h.call('get_issue', issue(2)) // a 304: the remembered answer
  const seeded = h.standin.state.repos[0].issues.find((i) => i.number === 2)!
  seeded.title = 'Retitled on github.com'
  const after = await h.call('get_issue', issue(2))
  t.match(h.standin.requests.map((r) => r.status), [200, 304, 200])
  t.not(textOf(before).split('\n')[0], textOf(after).split('\n')[0])
  t.match(textOf(after), /^## octo-org\/widgets#2: Retitled on github\.com/)
  t.equal((after.structuredContent as { title: string }).title, 'Retitled on github.com')
})
