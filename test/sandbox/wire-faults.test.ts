// Wire faults (wire-faults.ts): the request is handled, then its answer is broken on the wire.
// Seen through node:http, which reports each stage (headers, bytes, how the socket ended).
import t from 'tap'
import { request } from 'node:http'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'
import { MAINTENANCE_PAGE } from '../../sandbox/wire-faults.js'

const s = await startGitHubStandin()
t.teardown(() => s.close())
t.beforeEach(() => s.reset())

const ISSUE = '/repos/octo-org/widgets/issues/3'

interface Seen {
  status?: number
  headers?: Record<string, string | string[] | undefined>
  body: Buffer
  /** How it ended: 'end' (complete), an error code, or 'silent' (nothing more within waitMs). */
  ended: string
}

/** One request on a fresh connection; gives up listening after `waitMs` of silence. */
function send (path: string, opts: { method?: string, body?: string, waitMs?: number, headers?: Record<string, string> } = {}): Promise<Seen> {
  return new Promise((resolve) => {
    const seen: Seen = { body: Buffer.alloc(0), ended: '' }
    const chunks: Buffer[] = []
    const done = (how: string) => {
      if (seen.ended !== '') return
      seen.ended = how
      seen.body = Buffer.concat(chunks)
      req.destroy()
      resolve(seen)
    }
    const req = request(s.url + path, { method: opts.method ?? 'GET', agent: false, headers: { authorization: `token ${SANDBOX_TOKEN}`, ...opts.headers } }, (res) => {
      seen.status = res.statusCode
      seen.headers = res.headers
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => done('end'))
      res.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message))
    })
    req.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message))
    req.setTimeout(opts.waitMs ?? 2000, () => done('silent'))
    req.end(opts.body)
  })
}

const plain = async () => (await send(ISSUE)).body.toString()

t.test('reset: before any byte, or after the headers and half the body; the request was handled', async (t) => {
  const whole = await plain()
  s.breakNext({ method: 'GET', path: ISSUE }, { kind: 'reset' })
  t.match(await send(ISSUE), { status: undefined, ended: 'ECONNRESET' })
  s.breakNext({ path: ISSUE }, { kind: 'reset', when: 'after-headers' })
  const cut = await send(ISSUE)
  t.match(cut, { status: 200, headers: { 'content-length': String(whole.length), 'x-ratelimit-resource': 'core' }, ended: 'ECONNRESET' })
  t.ok(cut.body.length < whole.length, `${cut.body.length} of ${whole.length} bytes`)
  s.breakNext({ method: 'POST', path: '/repos/octo-org/widgets/issues' }, { kind: 'reset' })
  t.match(await send('/repos/octo-org/widgets/issues', { method: 'POST', body: '{"title":"landed anyway"}' }), { ended: 'ECONNRESET' })
  t.ok(s.state.repos[0].issues.some((i) => i.title === 'landed anyway'), 'the write was made: the client cannot know')
  t.match(s.requests.slice(1), [{ status: 200, broken: 'reset' }, { status: 200, broken: 'reset' }, { method: 'POST', status: 201, broken: 'reset' }])
})

t.test('hang: no answer at all, or headers and half the body and then nothing', async (t) => {
  s.breakNext({ path: ISSUE }, { kind: 'hang' })
  t.match(await send(ISSUE, { waitMs: 300 }), { status: undefined, ended: 'silent' })
  s.breakNext({ path: ISSUE }, { kind: 'hang', when: 'after-headers' })
  const stalled = await send(ISSUE, { waitMs: 300 })
  t.match(stalled, { status: 200, ended: 'silent' })
  t.ok(stalled.body.length > 0 && stalled.body.length < Number(stalled.headers?.['content-length']), 'half the declared body')
  t.equal((await send(ISSUE)).ended, 'end', 'the next request is answered')
})

t.test('close() ends hung answers too', async (t) => {
  const own = await startGitHubStandin()
  own.breakNext({ path: '/user' }, { kind: 'hang' })
  const hung = fetch(`${own.url}/user`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  while (own.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  await own.close()
  await t.rejects(hung, 'the client sees the connection end')
})

t.test('truncate: the real content-length, fewer bytes, then the connection closes', async (t) => {
  const whole = await plain()
  s.breakNext({ path: ISSUE }, { kind: 'truncate', sendBytes: 100 })
  const cut = await send(ISSUE)
  t.match(cut, { status: 200, headers: { 'content-length': String(whole.length) }, ended: 'ECONNRESET' })
  t.equal(cut.body.toString(), whole.slice(0, 100))
  s.breakNext({ path: ISSUE }, { kind: 'truncate' })
  t.equal((await send(ISSUE)).body.length, Math.floor(whole.length / 2), 'half by default')
  const etag = String((await send(ISSUE)).headers?.etag)
  s.breakNext({ path: ISSUE }, { kind: 'truncate' })
  const conditional = await send(ISSUE, { headers: { 'if-none-match': etag } })
  t.match(conditional, { status: 200, headers: { 'content-length': String(whole.length) } }, 'a broken answer is never a 304')
  t.match(s.requests.at(-1), { status: 200, ifNoneMatch: etag, broken: 'truncate' })
})

t.test('huge: the real answer, its body padded to N bytes, streamed; declared on request', async (t) => {
  s.breakNext({ path: ISSUE }, { kind: 'huge', bytes: 3 * 1048576 })
  const big = await send(ISSUE)
  t.match(big, { status: 200, headers: { 'transfer-encoding': 'chunked', etag: /^W\// }, ended: 'end' })
  t.equal(big.headers?.['content-length'], undefined)
  t.equal(big.body.length, 3 * 1048576)
  const issue = JSON.parse(big.body.toString()) as { number: number, title: string, body: string }
  t.match(issue, { number: 3, title: String })
  t.match(issue.body, /^x+$/, 'the issue body carries the padding')
  s.breakNext({ path: '/repos/octo-org/widgets/issues' }, { kind: 'huge', bytes: 1_000_000, declareLength: true })
  const list = await send('/repos/octo-org/widgets/issues')
  t.match(list, { headers: { 'content-length': '1000000' }, ended: 'end' })
  const items = JSON.parse(list.body.toString()) as Array<{ body: string | null }>
  t.ok(items.length > 1 && items[0].body!.length > 500_000, 'the first item of a list is padded')
  t.ok(items.slice(1).every((i) => (i.body ?? '').length < 100_000), 'the others are as they were')
})

t.test('html: a maintenance page with none of GitHub\'s headers; bad-json: the real answer cut, well framed', async (t) => {
  s.breakNext({ path: ISSUE }, { kind: 'html' })
  const page = await send(ISSUE)
  t.match(page, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, ended: 'end' })
  t.equal(page.body.toString(), MAINTENANCE_PAGE)
  t.equal(page.headers?.['x-ratelimit-remaining'], undefined)
  s.breakNext({ path: ISSUE }, { kind: 'html', status: 503 })
  t.equal((await send(ISSUE)).status, 503)
  const whole = await plain()
  s.breakNext({ path: ISSUE }, { kind: 'bad-json' })
  const broken = await send(ISSUE)
  t.match(broken, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-resource': 'core' }, ended: 'end' })
  t.equal(broken.body.toString(), whole.slice(0, Math.floor(whole.length / 2)))
  t.throws(() => JSON.parse(broken.body.toString()))
})

t.test('count, matching and reset(), as for status faults', async (t) => {
  s.breakNext({ method: 'GET', path: /\/issues\/\d+$/ }, { kind: 'bad-json', count: 2 })
  t.ok(JSON.parse((await send('/repos/octo-org/widgets/issues')).body.toString()), 'another path is not affected')
  for (const n of [1, 2]) {
    const text = (await send(`/repos/octo-org/widgets/issues/${n}`)).body.toString()
    t.throws(() => JSON.parse(text), `issue ${n} broken`)
  }
  t.ok(JSON.parse((await send('/repos/octo-org/widgets/issues/4')).body.toString()), 'count exhausted')
  s.breakNext({ path: ISSUE }, { kind: 'reset', count: 5 })
  s.reset()
  t.equal((await send(ISSUE)).ended, 'end', 'reset() disarms wire faults')
})
