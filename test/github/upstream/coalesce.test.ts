// Single-flight reads: concurrent identical GETs share one upstream request.
import t from 'tap'
import { harness } from '../harness.js'

const issue = (n: number) => ({ owner: 'octo-org', repo: 'widgets', issue_number: n })
const gets = (h: { standin: { requests: Array<{ method: string, path: string }> } }, path: string) =>
  h.standin.requests.filter((r) => r.method === 'GET' && r.path === path).length

t.test('concurrent identical reads cost GitHub one request, and all get the issue', async (t) => {
  const h = await harness(t)
  h.standin.setLatency(150)
  const results = await Promise.all([1, 2, 3, 4, 5].map(() => h.call('get_issue', issue(3))))
  for (const r of results) t.equal((r.structuredContent as { number: number }).number, 3)
  t.equal(gets(h, '/repos/octo-org/widgets/issues/3'), 1)
  t.equal(h.domain.stats().coalesced, 4)
  await Promise.all([h.call('get_issue', issue(3)), h.call('get_issue', issue(5))])
  t.equal(gets(h, '/repos/octo-org/widgets/issues/5'), 1, 'different reads do not share')
})

t.test('a read asked after a write does not join a read that started before it', async (t) => {
  const { withCoalescedReads } = await import('../../../src/github/upstream/coalesce.js')
  const { MemoryBody, PooledResponse, ResponseHeaders } = await import('../../../src/github/upstream/pool.js')
  const asked: string[] = []
  const held: Array<() => void> = []
  // GETs wait until released; writes answer at once, so the write lands while the read is in flight.
  const inner = async (url: string, init: { method?: string } = {}) => {
    const method = init.method ?? 'GET'
    const n = asked.push(`${method} ${new URL(url).pathname}`)
    if (method === 'GET') await new Promise<void>((resolve) => held.push(resolve))
    return new PooledResponse(200, url, new ResponseHeaders([]), new MemoryBody(`{"n":${n}}`))
  }
  const fetch = withCoalescedReads(inner, (url) => url, (url) => new URL(url).pathname, { coalesced: 0 })
  const before = fetch('http://h/repos/o/r/issues/1')
  const elsewhere = fetch('http://h/repos/o/other/issues/1')
  await fetch('http://h/repos/o/r/issues/1', { method: 'PATCH' })
  const after = fetch('http://h/repos/o/r/issues/1')
  const unrelated = fetch('http://h/repos/o/other/issues/1')
  t.same(asked, ['GET /repos/o/r/issues/1', 'GET /repos/o/other/issues/1', 'PATCH /repos/o/r/issues/1', 'GET /repos/o/r/issues/1'],
    'the read after the write asks GitHub again; a read of another repository still joins its flight')
  for (const release of held) release()
  t.same(await (await before).json(), { n: 1 })
  t.same(await (await after).json(), { n: 4 }, 'the later read gets its own answer')
  t.same(await (await unrelated).json(), await (await elsewhere).json())
})

t.test('one caller cancelling does not fail the others; failures are shared, not cached', async (t) => {
  const { withCoalescedReads } = await import('../../../src/github/upstream/coalesce.js')
  const { MemoryBody, PooledResponse, ResponseHeaders } = await import('../../../src/github/upstream/pool.js')
  let calls = 0
  let release: (() => void) | undefined
  const inner = async (url: string) => {
    calls++
    await new Promise<void>((resolve) => { release = resolve })
    if (url.endsWith('/fail')) throw new Error('upstream down')
    return new PooledResponse(200, url, new ResponseHeaders([['etag', 'x']]), new MemoryBody('{"ok":true}'))
  }
  const stats = { coalesced: 0 }
  const fetch = withCoalescedReads(inner, (url) => url, (url) => new URL(url).pathname, stats)
  const controller = new AbortController()
  const a = fetch('http://h/repos/o/r/issues/1', { signal: controller.signal })
  const b = fetch('http://h/repos/o/r/issues/1')
  controller.abort()
  await t.rejects(a, { name: 'AbortError' })
  release!()
  t.same(await (await b).json(), { ok: true })
  t.equal(calls, 1)
  t.equal(stats.coalesced, 1)

  const f1 = fetch('http://h/fail')
  const f2 = fetch('http://h/fail')
  release!()
  await t.rejects(f1, /upstream down/)
  await t.rejects(f2, /upstream down/)
  const f3 = fetch('http://h/fail')
  t.equal(calls, 3, 'a failed flight is not reused')
  release!()
  await t.rejects(f3)
})
