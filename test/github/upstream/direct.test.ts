// Direct reads: a plain success skips Octokit; every other answer is Octokit's to handle, without
// asking GitHub a second time.
import t, { type Test } from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { memoryLogger, type LogLine } from '../harness.js'
import { createGitHubClient, type GitHubClient } from '../../../src/github/upstream/client.js'
import { authorization } from '../../../src/github/upstream/direct.js'
import { startGitHubStandin, type GitHubStandin } from '../../../sandbox/github-standin.js'

const ISSUE1 = '/repos/octo-org/widgets/issues/1'

async function setup (t: Test) {
  const standin = await startGitHubStandin()
  const logs: LogLine[] = []
  const client = createGitHubClient({ token: 'sandbox-token', baseUrl: standin.url, logger: memoryLogger(logs), retryBaseMs: 5 })
  let viaOctokit = 0
  client.api.hook.before('request', () => { viaOctokit++ })
  t.teardown(async () => { await client.close(); await standin.close() })
  return { standin, client, logs, octokitCalls: () => viaOctokit }
}

t.test('a successful read returns the parsed body and never enters Octokit', async (t) => {
  const { standin, client, octokitCalls } = await setup(t)
  const res = await client.api.read<{ number: number, title: string }>(ISSUE1)
  t.equal(res.number, 1)
  t.type(res.title, 'string')
  const again = await client.api.read<{ number: number }>(ISSUE1)
  t.equal(again.number, 1, 'a 304 is answered from the cache')
  t.equal(octokitCalls(), 0)
  t.match(standin.requests, [{ status: 200 }, { status: 304 }])
})

t.test('sends exactly the headers Octokit sends for the same GET', async (t) => {
  const seen: IncomingHttpHeaders[] = []
  const upstream = createServer((req, res) => {
    seen.push(req.headers)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"number":1}')
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const client: GitHubClient = createGitHubClient({
    token: 'tok-123', baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, logger: memoryLogger([]), etagCacheSize: 0,
  })
  t.teardown(async () => { await client.close(); upstream.close() })
  await client.api.rest.issues.get({ owner: 'o', repo: 'r', issue_number: 1 })
  await client.api.read('/repos/o/r/issues/1')
  const pick = (h: IncomingHttpHeaders) => ({ accept: h.accept, 'user-agent': h['user-agent'], authorization: h.authorization })
  t.same(pick(seen[1]), pick(seen[0]))
  t.equal(seen[1].authorization, 'token tok-123')
})

t.test('a token shaped like a JWT is sent as a bearer token, as @octokit/auth-token does', async (t) => {
  t.equal(authorization('aaa.bbb.ccc'), 'bearer aaa.bbb.ccc')
  t.equal(authorization('ghp_abc'), 'token ghp_abc')
})

t.test('an error answer becomes Octokit\'s RequestError without asking GitHub twice', async (t) => {
  const { standin, client, octokitCalls } = await setup(t)
  const error = await client.api.read('/repos/octo-org/widgets/issues/99999').catch((e: unknown) => e)
  t.match(error, { name: 'HttpError', status: 404, response: { data: { message: 'Not Found' } } })
  t.equal(standin.requests.length, 1, 'one upstream request')
  t.equal(octokitCalls(), 1)
})

t.test('a 5xx is retried by Octokit\'s policy and the retry succeeds', async (t) => {
  const { standin, client } = await setup(t)
  standin.failNext({ method: 'GET', path: ISSUE1 }, { status: 502 })
  const res = await client.api.read<{ number: number }>(ISSUE1)
  t.equal(res.number, 1)
  t.match(standin.requests.map((r) => r.status), [502, 200])
})

t.test('a short secondary rate limit is waited out once, as the throttling plugin does', async (t) => {
  const { standin, client, logs } = await setup(t)
  standin.failNext({ method: 'GET', path: ISSUE1 }, { status: 403, message: 'You have exceeded a secondary rate limit.', headers: { 'retry-after': '1' } })
  const res = await client.api.read<{ number: number }>(ISSUE1)
  t.equal(res.number, 1)
  t.match(standin.requests.map((r) => r.status), [403, 200])
  t.match(logs.find((l) => l.msg === 'GitHub rate limit'), { level: 'warn', obj: { kind: 'secondary', retrying: true } })
})

t.test('a network failure is Octokit\'s status-500 RequestError', async (t) => {
  const client = createGitHubClient({ token: 't', baseUrl: 'http://127.0.0.1:9', logger: memoryLogger([]), retryBaseMs: 1 })
  t.teardown(() => client.close())
  const error = await client.api.read(ISSUE1).catch((e: unknown) => e)
  t.match(error, { name: 'HttpError', status: 500, message: /ECONNREFUSED/ })
})

t.test('the caller\'s signal cancels the read', async (t) => {
  const { standin, client } = await setup(t)
  standin.failNext({ method: 'GET', path: ISSUE1 }, { status: 200, delayMs: 500 })
  const controller = new AbortController()
  const pending = client.api.read(ISSUE1, controller.signal)
  setTimeout(() => controller.abort(), 20)
  await t.rejects(pending, { name: 'AbortError' }) // the answer, 500 ms later, would have resolved it
})

t.test('searches are handed to Octokit, whose throttling spaces them (spacing itself: lane.test.ts)', async (t) => {
  const { client, octokitCalls } = await setup(t)
  const res = await client.api.read<{ total_count: number }>('/search/issues?q=repo%3Aocto-org%2Fwidgets')
  t.type(res.total_count, 'number')
  t.equal(octokitCalls(), 1)
})

t.test('a deprecated endpoint is reported once per answer, as Octokit reports it', async (t) => {
  const upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', deprecation: 'true', sunset: 'Tue, 01 Dec 2026 00:00:00 GMT' }).end('[]')
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const logs: LogLine[] = []
  const client = createGitHubClient({ token: 't', baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, logger: memoryLogger(logs) })
  t.teardown(async () => { await client.close(); upstream.close() })
  const res = await client.api.read<unknown[]>('/repos/o/r/labels')
  t.same(res, [])
  t.match(logs.filter((l) => l.level === 'warn'), [{ obj: { route: '/repos/o/r/labels', sunset: 'Tue, 01 Dec 2026 00:00:00 GMT' } }])
})

t.test('a revalidated read hands back the cached payload itself, parsed once and frozen', async (t) => {
  const { standin, client } = await setup(t)
  const first = await client.api.read<{ title: string, labels: unknown[] }>(ISSUE1)
  const second = await client.api.read<{ title: string, labels: unknown[] }>(ISSUE1)
  t.match(standin.requests.map((r) => r.status), [200, 304])
  t.equal(second, first, 'the same object: no second parse')
  t.ok(Object.isFrozen(first) && Object.isFrozen(first.labels), 'deep-frozen')
  t.throws(() => { (first as { title: string }).title = 'changed' }, TypeError, 'a reader cannot change what others share')
})
