// A hostile or broken upstream (issue 15), through the real tools against the sandbox's fault
// controls: each answer GitHub, or a proxy in front of it, should not give ends in a clean tool
// error (never "Internal error"), retried only where asking again can help and is safe.
// Elsewhere: payloads that break GitHub's schema in tools/tolerant.test.ts and the schema fuzz,
// a quota held until its reset in quota-hold.test.ts, write slots given back in budgets.test.ts,
// memory after a burst of huge answers in huge-bodies.test.ts.
import t, { type Test } from 'tap'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { WireFault } from '../../../sandbox/github-standin.js'
import { harness, textOf, type Harness } from '../harness.js'

const widgets = { owner: 'octo-org', repo: 'widgets' }
const issue = (n: number) => ({ ...widgets, issue_number: n })
const pathOf = (n: number) => `/repos/octo-org/widgets/issues/${n}`
const CREATE = '/repos/octo-org/widgets/issues'

/** A clean tool error with this text, after exactly these answers from the stand-in. */
function cleanError (t: Test, h: Harness, res: CallToolResult, text: RegExp | string, answers: string[]) {
  t.equal(res.isError, true)
  t.match(textOf(res), text)
  t.notMatch(textOf(res), /Internal error/)
  t.same(h.standin.requests.map((r) => `${r.status}${r.broken === undefined ? '' : ` ${r.broken}`}`), answers)
  t.notOk(h.logs.some((l) => l.level === 'error'), 'nothing logged as a gateway bug')
  h.standin.requests.length = 0
}

const breakRead = (h: Harness, n: number, fault: WireFault) => h.standin.breakNext({ method: 'GET', path: pathOf(n) }, fault)

t.test('5xx: a read is retried and answered; a lasting 5xx is explained after two retries', async (t) => {
  const h = await harness(t)
  h.standin.failNext({ method: 'GET', path: pathOf(1) }, { status: 502 })
  t.notOk((await h.call('get_issue', issue(1))).isError)
  t.same(h.standin.requests.map((r) => r.status), [502, 200])
  h.standin.requests.length = 0
  h.standin.failNext({ method: 'GET', path: pathOf(1) }, { status: 503, count: 5 })
  cleanError(t, h, await h.call('get_issue', issue(1)),
    /^GitHub failed while handling issue #1 in octo-org\/widgets \(503\); this is usually temporary\. Retry in a minute\.$/, ['503', '503', '503'])
})

t.test('reset: a read is retried; lasting resets, before or after the headers, end in a clean error', async (t) => {
  const h = await harness(t)
  breakRead(h, 2, { kind: 'reset' })
  const again = await h.call('get_issue', issue(2))
  t.notOk(again.isError, 'the retry was answered')
  t.same(h.standin.requests.map((r) => r.broken ?? 'ok'), ['reset', 'ok'])
  h.standin.requests.length = 0
  for (const when of ['before-headers', 'after-headers'] as const) {
    breakRead(h, 3, { kind: 'reset', when, count: 3 })
    cleanError(t, h, await h.call('get_issue', issue(3)), 'Could not reach GitHub for issue #3 in octo-org/widgets. Retry in a minute.',
      ['200 reset', '200 reset', '200 reset'])
  }
})

t.test('hang: no answer, or headers and then a stalled body, ends in a timeout error without a retry', async (t) => {
  const h = await harness(t, { domain: { requestTimeoutMs: 300 } })
  for (const when of ['before-headers', 'after-headers'] as const) {
    breakRead(h, 5, { kind: 'hang', when })
    cleanError(t, h, await h.call('get_issue', issue(5)), 'GitHub did not answer in time; it may be slow. Retry in a moment.', ['200 hang'])
  }
})

t.test('not JSON: an HTML page or broken JSON costs one request and a clean error naming GitHub', async (t) => {
  const h = await harness(t)
  const notJson = (type: string) => new RegExp(`^GitHub \\(or a proxy in front of it\\) answered 200 with something that is not GitHub's JSON \\(${type}; charset=utf-8\\); GitHub may be under maintenance\\. Retry later\\.$`)
  breakRead(h, 7, { kind: 'html' })
  cleanError(t, h, await h.call('get_issue', issue(7)), notJson('text/html'), ['200 html'])
  breakRead(h, 7, { kind: 'bad-json' })
  cleanError(t, h, await h.call('get_issue', issue(7)), notJson('application/json'), ['200 bad-json'])
  h.standin.breakNext({ method: 'GET', path: CREATE }, { kind: 'html' })
  cleanError(t, h, await h.call('list_issues', widgets), notJson('text/html'), ['200 html'])
  t.notOk((await h.call('get_issue', issue(7))).isError, 'the broken JSON, sent under the issue\'s real ETag, was not cached and replayed')
  t.same(h.standin.requests.map((r) => r.status), [200])
  h.standin.requests.length = 0
  h.standin.breakNext({ method: 'POST', path: CREATE }, { kind: 'html' })
  cleanError(t, h, await h.call('create_issue', { ...widgets, title: 'behind a proxy' }),
    /answered 200 .*The change may have been made: check .* before retrying\.$/, ['201 html'])
})

t.test('truncated: a body shorter than its content-length is retried, then a clean error', async (t) => {
  const h = await harness(t)
  breakRead(h, 8, { kind: 'truncate' })
  t.notOk((await h.call('get_issue', issue(8))).isError, 'a cut answer is asked again')
  h.standin.requests.length = 0
  breakRead(h, 8, { kind: 'truncate', count: 3 })
  cleanError(t, h, await h.call('get_issue', issue(8)), 'Could not reach GitHub for issue #8 in octo-org/widgets. Retry in a minute.',
    ['200 truncate', '200 truncate', '200 truncate'])
})

t.test('huge: an answer past maxResponseBytes, streamed or declared, is one request and a "too large" error', async (t) => {
  const h = await harness(t, { domain: { maxResponseBytes: 256 * 1024 } })
  const tooLarge = /^GitHub's answer was larger than the gateway accepts \(256 KiB\); nothing was returned\. Ask for less \(a smaller page or limit\)\.$/
  breakRead(h, 10, { kind: 'huge', bytes: 8 * 1048576 })
  cleanError(t, h, await h.call('get_issue', issue(10)), tooLarge, ['200 huge'])
  breakRead(h, 10, { kind: 'huge', bytes: 8 * 1048576, declareLength: true })
  cleanError(t, h, await h.call('get_issue', issue(10)), tooLarge, ['200 huge'])
  h.standin.breakNext({ method: 'GET', path: CREATE }, { kind: 'huge', bytes: 1048576 })
  cleanError(t, h, await h.call('list_issues', widgets), tooLarge, ['200 huge'])
  breakRead(h, 10, { kind: 'huge', bytes: 200 * 1024 })
  const near = await h.call('get_issue', issue(10))
  t.notOk(near.isError, 'an answer under the bound is served')
  t.match(textOf(near), /\[… truncated: \d+ more characters\. Full text: https:\/\/github\.com\/octo-org\/widgets\/issues\/10\]/, 'and its long body shown capped')
})

t.test('secondary limit: the sandbox enforcing GitHub\'s write limit; its long pause is honoured, nothing more is sent', async (t) => {
  const h = await harness(t, { standin: { secondaryLimits: { writesPerMinute: 2 } } })
  for (const title of ['one', 'two']) t.notOk((await h.call('create_issue', { ...widgets, title })).isError)
  h.standin.requests.length = 0
  cleanError(t, h, await h.call('create_issue', { ...widgets, title: 'three' }),
    /^GitHub's secondary rate limit \(too many requests in a short time\) stopped repository octo-org\/widgets\. Retry after \d+ seconds/, ['403'])
  const held = await h.call('get_issue', issue(1))
  cleanError(t, h, held, /^GitHub asked the gateway to pause \(secondary rate limit: too many requests in a short time\); nothing was sent\. It resets at /, [])
  t.equal(h.standin.usage().secondaryLimited, 1, 'GitHub refused once, and was not asked again')
})

t.test('quota: the answer that spends the last request holds the next call, which is never sent', async (t) => {
  const h = await harness(t)
  h.standin.setRateLimit(2, Math.floor(Date.now() / 1000) + 600)
  for (const n of [1, 2]) t.notOk((await h.call('get_issue', issue(n))).isError)
  h.standin.requests.length = 0
  cleanError(t, h, await h.call('get_issue', issue(3)), /^GitHub API rate limit exhausted for the gateway's token; nothing was sent\. It resets at .* \(in about 10 min\)/, [])
  t.equal(h.domain.stats().held, 1)
})

t.test('a write whose answer never arrives says the change may have been made, and is sent once', async (t) => {
  const h = await harness(t, { domain: { requestTimeoutMs: 300 } })
  const checkFirst = 'The change may have been made: check (get_issue, list_issues, list_issue_comments) before retrying.'
  const lost = `GitHub's answer for repository octo-org/widgets never arrived (the connection failed). ${checkFirst}`
  const cases: Array<[WireFault, string]> = [
    [{ kind: 'reset' }, lost], [{ kind: 'truncate' }, lost],
    [{ kind: 'hang', when: 'after-headers' }, `GitHub did not answer in time; it may be slow. ${checkFirst}`],
  ]
  for (const [fault, text] of cases) {
    h.standin.breakNext({ method: 'POST', path: CREATE }, fault)
    cleanError(t, h, await h.call('create_issue', { ...widgets, title: `lost to a ${fault.kind}` }), text, [`201 ${fault.kind}`])
    t.ok(h.standin.state.repos[0].issues.some((i) => i.title === `lost to a ${fault.kind}`), 'it was made')
  }
  h.standin.breakNext({ method: 'PATCH', path: pathOf(1) }, { kind: 'reset', count: 3 })
  cleanError(t, h, await h.call('update_issue', { ...issue(1), title: 'edited' }),
    `GitHub's answer for issue #1 in octo-org/widgets never arrived (the connection failed). ${checkFirst}`, ['200', '200 reset', '200 reset', '200 reset'])
})
