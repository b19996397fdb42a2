// Single-flight reads: concurrent identical GETs share one upstream request.
import t from 'tap'
import { Headers } from 'undici'
import { harness } from '../harness.js'
import { withCoalescedReads } from '../../../src/github/upstream/coalesce.js'
import type { Snapshot, UpstreamInit } from '../../../src/github/upstream/pool.js'

const issue = (n: number) => ({ owner: 'octo-org', repo: 'widgets', issue_number: n })
const gets = (h: { standin: { requests: Array<{ method: string, path: string }> } }, path: string) =>
  h.standin.requests.filter((r) => r.method === 'GET' && r.path === path).length
const answer = (json: string): Snapshot => ({ status: 200, headers: new Headers({ etag: 'x' }), body: Buffer.from(json) })
const json = (s: Snapshot): unknown => JSON.parse(Buffer.from(s.body ?? []).toString())
const byUrl = (url: string) => url
const pathOf = (url: string) => new URL(url).pathname

t.test('concurrent identical reads cost GitHub one request, and all get the issue', async (t) => {
  const h = await harness(t)
  h.standin.setLatency(1000) // long enough for all five to find the flight, even on a busy machine
  // Straight through Octokit: identical tool calls would already share one run above it
  // (test/mcp/shared-calls.test.ts); different callers of one URL meet here.
  const results = await Promise.all([1, 2, 3, 4, 5].map(() => h.api.rest.issues.get(issue(3))))
  for (const r of results) t.equal(r.data.number, 3)
  t.equal(gets(h, '/repos/octo-org/widgets/issues/3'), 1)
  t.equal(h.domain.stats().coalesced, 4)
  const calls = await Promise.all([1, 2, 3].map(() => h.call('get_issue', issue(2))))
  for (const r of calls) t.equal((r.structuredContent as { number: number }).number, 2)
  t.equal(gets(h, '/repos/octo-org/widgets/issues/2'), 1, 'identical tool calls: one request too')
  await Promise.all([h.call('get_issue', issue(3)), h.call('get_issue', issue(5))])
  t.equal(gets(h, '/repos/octo-org/widgets/issues/5'), 1, 'different reads do not share')
})

t.test('a read asked after a write does not join a read that started before it', async (t) => {
  const asked: string[] = []
  const held: Array<() => void> = []
  // GETs wait until released; writes answer at once, so the write lands while the read is in flight.
  const inner = async (url: string, init: UpstreamInit) => {
    const method = init.method ?? 'GET'
    const n = asked.push(`${method} ${new URL(url).pathname}`)
    if (method === 'GET') await new Promise<void>((resolve) => held.push(resolve))
    return answer(`{"n":${n}}`)
  }
  const fetch = withCoalescedReads(inner, byUrl, pathOf, { coalesced: 0 })
  const before = fetch('http://h/repos/o/r/issues/1', {})
  const elsewhere = fetch('http://h/repos/o/other/issues/1', {})
  await fetch('http://h/repos/o/r/issues/1', { method: 'PATCH' })
  const after = fetch('http://h/repos/o/r/issues/1', {})
  const unrelated = fetch('http://h/repos/o/other/issues/1', {})
  t.same(asked, ['GET /repos/o/r/issues/1', 'GET /repos/o/other/issues/1', 'PATCH /repos/o/r/issues/1', 'GET /repos/o/r/issues/1'],
    'the read after the write asks GitHub again; a read of another repository still joins its flight')
  for (const release of held) release()
  t.same(json(await before), { n: 1 })
  t.same(json(await after), { n: 4 }, 'the later read gets its own answer')
  t.same(json(await unrelated), json(await elsewhere))
})

t.test('forget(touches): reads in flight of the paths it accepts are not joined by later ones, others still are', async (t) => {
  const asked: string[] = []
  const held: Array<() => void> = []
  const inner = async (url: string, init: UpstreamInit) => {
    const n = asked.push(new URL(url).pathname)
    await new Promise<void>((resolve) => held.push(resolve))
    return answer(`{"n":${n}}`)
  }
  const fetch = withCoalescedReads(inner, byUrl, pathOf, { coalesced: 0 })
  const before = fetch('http://h/repos/o/r/issues/1', {})
  const elsewhere = fetch('http://h/repos/o/other/issues/1', {})
  fetch.forget((path) => path.startsWith('/repos/o/r/issues'))
  const after = fetch('http://h/repos/o/r/issues/1', {})
  const unrelated = fetch('http://h/repos/o/other/issues/1', {})
  t.same(asked, ['/repos/o/r/issues/1', '/repos/o/other/issues/1', '/repos/o/r/issues/1'])
  for (const release of held) release()
  t.same(json(await before), { n: 1 })
  t.same(json(await after), { n: 3 })
  t.same(json(await unrelated), json(await elsewhere))
})

t.test('one caller cancelling does not fail the others; the last one leaving cancels the request', async (t) => {
  let calls = 0
  const signals: AbortSignal[] = []
  let release: (() => void) | undefined
  const inner = async (url: string, init: UpstreamInit) => {
    calls++
    signals.push(init.signal!)
    await new Promise<void>((resolve) => { release = resolve })
    if (url.endsWith('/fail')) throw new Error('upstream down')
    return answer('{"ok":true}')
  }
  const stats = { coalesced: 0 }
  const fetch = withCoalescedReads(inner, byUrl, pathOf, stats)
  const one = new AbortController()
  const a = fetch('http://h/repos/o/r/issues/1', { signal: one.signal })
  const b = fetch('http://h/repos/o/r/issues/1', { signal: new AbortController().signal })
  one.abort('a plain reason, as the SDK sends')
  await t.rejects(a, { name: 'AbortError' }, 'a cancellation, whatever the reason')
  t.equal(signals[0].aborted, false, 'the shared request goes on for the other caller')
  release!()
  t.same(json(await b), { ok: true })
  t.equal(calls, 1)
  t.equal(stats.coalesced, 1)

  const alone = new AbortController()
  const c = fetch('http://h/repos/o/r/issues/2', { signal: alone.signal })
  alone.abort()
  await t.rejects(c, { name: 'AbortError' })
  t.equal(signals[1].aborted, true, 'nobody waits any more: the request is cancelled')
  const d = fetch('http://h/repos/o/r/issues/2', {})
  t.equal(calls, 3, 'a later caller does not join the cancelled flight')
  release!()
  await d

  const f1 = fetch('http://h/fail', {})
  const f2 = fetch('http://h/fail', {})
  release!()
  await t.rejects(f1, /upstream down/)
  await t.rejects(f2, /upstream down/)
  const f3 = fetch('http://h/fail', {})
  t.equal(calls, 5, 'a failed flight is not reused')
  release!()
  await t.rejects(f3)
})
