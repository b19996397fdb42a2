// A change that carries GitHub's new objects (a delivery's issue and comment, a write's answer)
// updates the cached answers it describes whole, keeps those it provably leaves alone, and marks
// the rest stale, as a change without objects does.
import t from 'tap'
import { EtagCache, STALE } from '../../../src/github/upstream/etag-cache.js'
import { apiPath, withConditionalRequests } from '../../../src/github/upstream/conditional.js'
import type { CacheChange } from '../../../src/github/upstream/issue-change.js'
import { applyChange } from '../../../src/github/upstream/patch-rules.js'
import { RecordHeaders, type Snapshot, type UpstreamInit } from '../../../src/github/upstream/pool.js'

const API = 'https://api.github.com'
const PLAIN = 'application/vnd.github.v3+json'
const CHECKED = 1_000
const NOW = 5_000
const T0 = '2026-03-01T10:00:00Z'
const T1 = '2026-03-01T10:00:07Z'
const EARLIER = '2026-03-01T09:59:00Z'

const issue = (n: number, updated = T0, more: Record<string, unknown> = {}) => ({
  id: 1000 + n, number: n, title: `Issue ${n}`, body: 'Steps below.', state: 'open', labels: [], assignees: [], comments: 1,
  locked: false, milestone: null, created_at: `2026-01-${String(n).padStart(2, '0')}T00:00:00Z`, updated_at: updated, ...more,
})
const comment = (id: number, created = T0, more: Record<string, unknown> = {}) => ({ id, body: `Comment ${id}`, created_at: created, updated_at: created, ...more })

interface Stored { auth?: string, accept?: string, headers?: Record<string, string>, checkedAt?: number }

function cached () {
  const cache = new EtagCache({ maxEntries: 100, maxBytes: 1e7 })
  const key = (url: string, o: Stored = {}) => cache.key(o.auth ?? 'token a', o.accept ?? PLAIN, `${API}${url}`)
  const store = (url: string, value: unknown, o: Stored = {}) => {
    const body = Buffer.from(JSON.stringify(value))
    const headers = new RecordHeaders({ etag: 'W/"old"', 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.byteLength), ...o.headers })
    cache.set(key(url, o), { path: apiPath(`${API}${url}`, API), url: `${API}${url}`, accept: o.accept ?? PLAIN, etag: 'W/"old"', answer: { status: 200, headers, body }, checkedAt: o.checkedAt ?? CHECKED })
    return key(url, o)
  }
  const entry = (k: string) => cache.get(k)!
  const body = (k: string): unknown => JSON.parse(Buffer.from(entry(k).answer.body!).toString('utf8'))
  const apply = (action: string, iss: unknown, com?: unknown, number = 7) =>
    applyChange(cache, { stale: ['/repos/o/r/issues', '/search/issues'], issue: { repo: 'o/r', number, action, issue: iss, comment: com } }, NOW)
  return { cache, key, store, entry, body, apply }
}

t.test('the issue: its cached answers take the new issue, checked now; nothing else of the repository does', async (t) => {
  const c = cached()
  const mine = c.store('/repos/o/r/issues/7', issue(7))
  const theirs = c.store('/repos/O/R/issues/7', issue(7), { auth: 'token b' })
  const html = c.store('/repos/o/r/issues/7', { ...issue(7), body_html: '<p>Steps below.</p>' }, { accept: 'application/vnd.github.full+json' })
  const other = c.store('/repos/o/r/issues/8', issue(8))
  const labels = c.store('/repos/o/r/issues/7/labels', [])
  const repoComments = c.store('/repos/o/r/issues/comments', [])
  const search = c.store('/search/issues?q=repo%3Ao%2Fr', { items: [] })
  const elsewhere = c.store('/repos/o/other/issues/7', issue(7))
  const entries = c.cache.stats().etagEntries
  c.apply('edited', issue(7, T1, { title: 'Renamed' }))

  for (const k of [mine, theirs]) {
    t.match(c.body(k), { title: 'Renamed', updated_at: T1 })
    t.equal(c.entry(k).checkedAt, NOW, 'as good as a 200 received now')
    t.equal(c.entry(k).etag, 'W/"old"', 'the ETag stays: a later revalidation gets the new answer whole')
    t.equal(c.entry(k).answer.headers.get('content-length'), String(c.entry(k).answer.body!.byteLength))
  }
  t.equal(c.entry(html).checkedAt, STALE, 'another media type carries what the payload lacks: revalidated')
  t.equal(c.entry(other).checkedAt, CHECKED, 'another issue is untouched')
  t.equal(c.entry(elsewhere).checkedAt, CHECKED, 'another repository is untouched')
  for (const k of [labels, repoComments, search]) t.equal(c.entry(k).checkedAt, STALE)
  t.equal(c.cache.stats().etagEntries, entries, 'no entry is created, for any credential')
  t.equal(c.cache.get(c.key('/repos/o/r/issues/7', { auth: 'token c' })), undefined, 'a credential that never read it has none')
})

t.test('ordering: older news is ignored, the same second is revalidated unless both say the same, a stale answer stays stale', async (t) => {
  const c = cached()
  const k = c.store('/repos/o/r/issues/7', issue(7, T1, { title: 'Newest' }))
  c.apply('edited', issue(7, T0, { title: 'Late delivery' }))
  t.match(c.body(k), { title: 'Newest' })
  t.equal(c.entry(k).checkedAt, CHECKED, 'left as it was')

  c.apply('edited', issue(7, T1, { title: 'Newest', closed_by: null, reactions: { total_count: 0 } }))
  t.match(c.body(k), { title: 'Newest' })
  t.equal(c.entry(k).checkedAt, NOW, 'the same second, saying the same (fields only one side has aside): confirmed')

  c.apply('edited', issue(7, T1, { title: 'Edited twice in one second' }))
  t.equal(c.entry(k).checkedAt, STALE, 'the same second, saying something else: which is newer is unknown')
  c.apply('edited', issue(7, '2026-03-01T10:01:00Z', { title: 'Later still' }))
  t.equal(c.entry(k).checkedAt, STALE, 'a stale answer is not patched: what else made it stale is not known to be settled')
  t.match(c.body(k), { title: 'Newest' }, 'its answer is left for the revalidation')
})

t.test('payloads that cannot be trusted to be the answer only mark it stale', async (t) => {
  for (const [name, payload] of [
    ['no updated_at', { ...issue(7), updated_at: undefined }], ['not an object', 'issue 7'], ['another issue', issue(8, T1)],
    ['another id', { ...issue(7, T1), id: 5 }], ['an odd state', issue(7, T1, { state: 'merged' })], ['no title', { ...issue(7, T1), title: null }],
  ] as const) {
    const c = cached()
    const k = c.store('/repos/o/r/issues/7', issue(7))
    c.apply('edited', payload)
    t.equal(c.entry(k).checkedAt, STALE, name)
    t.match(c.body(k), { title: 'Issue 7' }, name)
  }
  const c = cached()
  const k = c.store('/repos/o/r/issues/7', issue(7))
  c.apply('deleted', issue(7, T1))
  t.equal(c.entry(k).checkedAt, STALE, 'a deleted issue: GitHub now answers 404')
})

t.test('issue lists: patched in place only where the change cannot move the issue', async (t) => {
  const c = cached()
  const page = [issue(9), issue(7), issue(6)]
  const open = c.store('/repos/o/r/issues?state=open&per_page=40&page=1', page)
  const plain = c.store('/repos/o/r/issues', page)
  const all = c.store('/repos/o/r/issues?state=all&sort=created&direction=asc', page)
  const without = c.store('/repos/o/r/issues?state=open&page=2', [issue(3), issue(2)])
  const byUpdate = c.store('/repos/o/r/issues?state=open&sort=updated', page)
  const labelled = c.store('/repos/o/r/issues?labels=bug', page)
  const since = c.store('/repos/o/r/issues?since=2026-01-01T00:00:00Z', page)
  c.apply('comment_created', issue(7, T1, { comments: 2 }), comment(50, T1))
  for (const k of [open, plain, all]) {
    t.same((c.body(k) as Array<{ number: number, comments: number }>).map((i) => [i.number, i.comments]), [[9, 1], [7, 2], [6, 1]], 'replaced where it was')
    t.equal(c.entry(k).checkedAt, CHECKED, 'the other issues are as recent as before')
  }
  t.equal(c.entry(without).checkedAt, CHECKED, 'not on the page: a comment cannot bring it there')
  for (const k of [byUpdate, labelled, since]) t.equal(c.entry(k).checkedAt, STALE, 'a query the patch cannot reason about')

  c.apply('closed', issue(7, '2026-03-01T10:00:09Z', { state: 'closed' }))
  t.equal(c.entry(open).checkedAt, STALE, 'closed: it leaves the open list')
  t.equal(c.entry(without).checkedAt, STALE, 'and the pages after it move up')
  t.match(c.body(all), [{}, { state: 'closed' }, {}], 'still on the list of every state, in place')
  t.equal(c.entry(all).checkedAt, CHECKED)

  const d = cached()
  const page2 = d.store('/repos/o/r/issues?page=2', [issue(3)])
  d.apply('opened', issue(20, T1), undefined, 20)
  t.equal(d.entry(page2).checkedAt, STALE, 'a new issue moves every page')
})

t.test('comment pages: a new comment is appended to the last page when it provably lands there', async (t) => {
  const date = { date: 'Sun, 01 Mar 2026 10:00:03 GMT' }
  const c = cached()
  const last = c.store('/repos/o/r/issues/7/comments?page=1&per_page=30', [comment(10), comment(11)], { headers: date })
  const defaults = c.store('/repos/o/r/issues/7/comments', [comment(10), comment(11)], { headers: date })
  const notLast = c.store('/repos/o/r/issues/7/comments?page=1&per_page=2', [comment(10), comment(11)], { headers: { ...date, link: `<${API}/x?page=2>; rel="next", <${API}/x?page=2>; rel="last"` } })
  const full = c.store('/repos/o/r/issues/7/comments?per_page=2', [comment(10), comment(11)], { headers: date })
  const producedAfter = c.store('/repos/o/r/issues/7/comments?per_page=5', [comment(10), comment(11)], { headers: { date: 'Sun, 01 Mar 2026 10:00:07 GMT' } })
  const other = c.store('/repos/o/r/issues/8/comments', [comment(12)], { headers: date })
  c.apply('comment_created', issue(7, T1, { comments: 3 }), comment(60, T1))
  for (const k of [last, defaults]) {
    t.same((c.body(k) as Array<{ id: number }>).map((x) => x.id), [10, 11, 60])
    t.equal(c.entry(k).checkedAt, CHECKED)
  }
  t.equal(c.entry(notLast).checkedAt, STALE, 'a page with a next one: its Link header changes')
  t.equal(c.entry(full).checkedAt, STALE, 'a full last page: a new page begins')
  t.equal(c.entry(producedAfter).checkedAt, STALE, 'GitHub produced the page in the comment\'s second: it may have been deleted since')
  t.equal(c.entry(other).checkedAt, CHECKED, 'another issue\'s comments are untouched')

  c.apply('comment_created', issue(7, T1, { comments: 3 }), comment(60, T1))
  t.same((c.body(last) as Array<{ id: number }>).map((x) => x.id), [10, 11, 60], 'a repeated delivery appends nothing')
  c.apply('comment_edited', issue(7, T1), comment(60, T1, { body: 'Fixed a typo', updated_at: '2026-03-01T10:00:30Z' }))
  t.match(c.body(last), [{}, {}, { id: 60, body: 'Fixed a typo' }], 'edited: replaced by id')
  for (const [name, action, com] of [['a comment that would not sort last is not placed', 'comment_created', comment(5, T1)],
    ['deleted: revalidated', 'comment_deleted', comment(11)], ['edited, but not on the page: not placed', 'comment_edited', comment(70, T1)]] as const) {
    const e = cached()
    const k = e.store('/repos/o/r/issues/7/comments', [comment(10), comment(11)], { headers: date })
    e.apply(action, issue(7, T1), com)
    t.equal(e.entry(k).checkedAt, STALE, name)
  }

  const d = cached()
  const k = d.store('/repos/o/r/issues/7/comments', [comment(10)], { headers: date })
  d.apply('edited', issue(7, T1, { body: 'New body' }))
  t.equal(d.entry(k).checkedAt, CHECKED, 'an issue edit leaves its comments alone')
  d.apply('transferred', issue(7, T1))
  t.equal(d.entry(k).checkedAt, STALE, 'a transferred issue\'s comments are gone from here')
})

t.test('a patched entry is sized again, and dropped when it no longer fits', async (t) => {
  const cache = new EtagCache({ maxEntries: 100, maxBytes: 40_000 })
  const k = cache.key('token a', PLAIN, `${API}/repos/o/r/issues/7`)
  const small = Buffer.from(JSON.stringify(issue(7)))
  cache.set(k, { path: '/repos/o/r/issues/7', url: `${API}/repos/o/r/issues/7`, accept: PLAIN, etag: 'W/"old"', answer: { status: 200, headers: new RecordHeaders({}), body: small }, checkedAt: CHECKED })
  const before = cache.stats().etagBytes
  const change = (body: string, updated: string): CacheChange =>
    ({ stale: ['/repos/o/r/issues'], issue: { repo: 'o/r', number: 7, action: 'edited', issue: issue(7, updated, { body }), comment: undefined } })
  applyChange(cache, change('x'.repeat(2_000), T1), NOW)
  t.ok(cache.stats().etagBytes >= before + 1_900, `${before} → ${cache.stats().etagBytes} bytes`)
  applyChange(cache, change('y'.repeat(20_000), '2026-03-01T10:05:00Z'), NOW)
  t.equal(cache.get(k), undefined, 'larger than an entry may be: dropped, never left as it was')
  t.equal(cache.stats().etagBytes, 0)
})

/** A GitHub whose GETs wait for `release`; answers are whatever `answers` holds for the path. */
function heldUpstream (answers: Map<string, unknown>) {
  const held: Array<() => void> = []
  let n = 0
  const inner = async (url: string, init: UpstreamInit): Promise<Snapshot> => {
    const path = new URL(url).pathname
    if ((init.method ?? 'GET') === 'GET') await new Promise<void>((resolve) => held.push(resolve))
    return { status: 200, headers: new RecordHeaders({ etag: `W/"${++n}"` }), body: Buffer.from(JSON.stringify(answers.get(path) ?? {})) }
  }
  return { inner, release: () => held.splice(0).forEach((r) => r()) }
}

t.test('a read in flight when a change patches its answer stores its copy with the change applied; reads of other issues are untouched', async (t) => {
  const cache = new EtagCache({ maxEntries: 100, maxBytes: 1e7 })
  const answers = new Map<string, unknown>([['/repos/o/r/issues/7', issue(7)], ['/repos/o/r/issues/8', issue(8)]])
  const up = heldUpstream(answers)
  const fetch = withConditionalRequests(up.inner, cache, API)
  const first = fetch(`${API}/repos/o/r/issues/7`, { headers: { accept: PLAIN } })
  up.release()
  await first
  const k = cache.key('', PLAIN, `${API}/repos/o/r/issues/7`)
  t.ok(cache.get(k))

  cache.get(k)!.checkedAt = STALE // revalidated next: the read below goes to GitHub
  const again = fetch(`${API}/repos/o/r/issues/7`, { headers: { accept: PLAIN } })
  const other = fetch(`${API}/repos/o/r/issues/8`, { headers: { accept: PLAIN } })
  await new Promise((resolve) => setImmediate(resolve))
  cache.get(k)!.checkedAt = CHECKED
  applyChange(cache, { stale: ['/repos/o/r/issues'], issue: { repo: 'o/r', number: 7, action: 'edited', issue: issue(7, T1, { title: 'Patched' }), comment: undefined } }, NOW)
  up.release() // GitHub's answers from before the change
  await Promise.all([again, other])
  t.match(JSON.parse(Buffer.from(cache.get(k)!.answer.body!).toString()), { title: 'Patched' }, 'GitHub\'s older answer caught up with the change')
  t.equal(cache.get(k)!.etag, 'W/"2"', 'under the ETag of the read\'s answer, newer than the one the cache held')
  t.equal(cache.get(k)!.checkedAt, NOW, 'a whole issue: as recent as the change')
  t.ok(cache.get(cache.key('', PLAIN, `${API}/repos/o/r/issues/8`)), 'another issue\'s read, untouched by the change, is kept')
})

t.test('a write\'s answer updates the cached answers: an edit of an issue is a change like a delivery', async (t) => {
  const cache = new EtagCache({ maxEntries: 100, maxBytes: 1e7 })
  const answers = new Map<string, unknown>([['/repos/o/r/issues/7', issue(7)], ['/repos/o/r/issues', [issue(8), issue(7)]], ['/repos/o/r/issues/8', issue(8)]])
  const up = heldUpstream(answers)
  const fetch = withConditionalRequests(up.inner, cache, API)
  for (const path of ['/repos/o/r/issues/7', '/repos/o/r/issues', '/repos/o/r/issues/8']) {
    const read = fetch(`${API}${path}`, { headers: { accept: PLAIN } })
    up.release()
    await read
  }
  const entry = (path: string) => cache.get(cache.key('', PLAIN, `${API}${path}`))!
  const checked = entry('/repos/o/r/issues/8').checkedAt
  answers.set('/repos/o/r/issues/7', issue(7, T1, { body: 'Triaged.' }))
  await fetch(`${API}/repos/o/r/issues/7`, { method: 'PATCH', headers: { accept: PLAIN }, body: '{"body":"Triaged."}' })
  t.match(JSON.parse(Buffer.from(entry('/repos/o/r/issues/7').answer.body!).toString()), { body: 'Triaged.' }, 'the issue: GitHub\'s answer to the edit')
  t.match(JSON.parse(Buffer.from(entry('/repos/o/r/issues').answer.body!).toString()), [{}, { body: 'Triaged.' }], 'the list: in place')
  t.equal(entry('/repos/o/r/issues/8').checkedAt, checked, 'another issue is untouched')

  answers.set('/repos/o/r/issues/8', issue(8, T1, { state: 'closed' }))
  await fetch(`${API}/repos/o/r/issues/8`, { method: 'PATCH', headers: { accept: PLAIN }, body: '{"state":"closed"}' })
  t.equal(entry('/repos/o/r/issues').checkedAt, STALE, 'a state change: the open list is asked again')
  await fetch(`${API}/repos/o/r/issues/7/comments`, { method: 'POST', headers: { accept: PLAIN }, body: '{"body":"hi"}' })
  t.equal(entry('/repos/o/r/issues/7').checkedAt, STALE, 'a comment posted: no issue in the answer, the issue is asked again')
})

/** Conditional requests over a held upstream whose answers the test sets, with the freshness clock given. */
function inFlight (answers: Map<string, unknown>, now: () => number) {
  const cache = new EtagCache({ maxEntries: 100, maxBytes: 1e7 })
  const up = heldUpstream(answers)
  const sent: Array<string | undefined> = []
  const inner = (url: string, init: UpstreamInit) => { sent.push(init.headers?.['if-none-match']); return up.inner(url, init) }
  const fetch = withConditionalRequests(inner, cache, API, { now, fresh: (_path, checkedAt) => now() - checkedAt <= 60_000 })
  const read = (url: string) => fetch(`${API}${url}`, { headers: { accept: PLAIN } })
  const key = (url: string) => cache.key('', PLAIN, `${API}${url}`)
  const settle = () => new Promise((resolve) => setImmediate(resolve))
  return { cache, up, sent, read, key, settle }
}

t.test('a list read in flight when a delivery changes an issue on it: stored with the issue replaced, fresh from when GitHub answered', async (t) => {
  let clock = 10_000
  const LIST = '/repos/o/r/issues?state=open&per_page=20'
  const f = inFlight(new Map([['/repos/o/r/issues', [issue(9), issue(7), issue(6)]]]), () => clock)
  const reading = f.read(LIST)
  await f.settle()
  clock = 10_030
  applyChange(f.cache, { stale: ['/repos/o/r/issues', '/search/issues'], issue: { repo: 'o/r', number: 7, action: 'comment_created', issue: issue(7, T1, { comments: 2 }), comment: comment(50, T1) } }, clock)
  f.up.release() // GitHub answered before the comment
  await reading
  const entry = f.cache.get(f.key(LIST))!
  t.same((JSON.parse(Buffer.from(entry.answer.body!).toString()) as Array<{ number: number, comments: number }>).map((i) => [i.number, i.comments]), [[9, 1], [7, 2], [6, 1]])
  t.equal(entry.checkedAt, 10_000, 'the rest of the page is as recent as GitHub\'s answer')
  clock = 20_000
  const again = await f.read(LIST)
  t.equal(f.sent.length, 1, 'the next read is served without asking GitHub: before, it cost another request')
  t.match(JSON.parse(Buffer.from(again.body!).toString()), [{}, { comments: 2 }, {}])
})

t.test('a read in flight when a change it cannot take arrives: stored to be revalidated, under its own newer ETag', async (t) => {
  let clock = 10_000
  const LIST = '/repos/o/r/issues?state=open&per_page=20'
  const f = inFlight(new Map([['/repos/o/r/issues', [issue(9), issue(7)]]]), () => clock)
  const first = f.read(LIST)
  f.up.release()
  await first
  f.cache.get(f.key(LIST))!.checkedAt = STALE
  const reading = f.read(LIST)
  await f.settle()
  applyChange(f.cache, { stale: ['/repos/o/r/issues'], issue: { repo: 'o/r', number: 20, action: 'opened', issue: issue(20, T1), comment: undefined } }, clock)
  f.up.release()
  await reading
  const entry = f.cache.get(f.key(LIST))!
  t.equal(entry.checkedAt, STALE, 'a new issue moves the page: GitHub is asked before it is served')
  t.equal(entry.etag, 'W/"2"', 'the ETag of the answer that overlapped the change')
  const next = f.read(LIST)
  await f.settle()
  f.up.release()
  await next
  t.same(f.sent, [undefined, 'W/"1"', 'W/"2"'], 'revalidated with the newer ETag: a 304 where nothing changed since')
})

t.test('a read that overlapped more changes than are kept to replay is stored to be revalidated', async (t) => {
  const clock = 10_000
  const ISSUE = '/repos/o/r/issues/7'
  const f = inFlight(new Map([[ISSUE, issue(7)]]), () => clock)
  const reading = f.read(ISSUE)
  await f.settle()
  // One edit a second, each newer than the last.
  const at = (n: number) => new Date(Date.parse(T1) + n * 1000).toISOString().replace('.000Z', 'Z')
  for (let n = 0; n < 101; n++) applyChange(f.cache, { stale: ['/repos/o/r/issues'], issue: { repo: 'o/r', number: 7, action: 'edited', issue: issue(7, at(n), { title: `Edit ${n}` }), comment: undefined } }, clock)
  f.up.release()
  await reading
  const entry = f.cache.get(f.key(ISSUE))!
  t.equal(entry.checkedAt, STALE)
  const g = f.cache.generation
  const older = { ...entry, checkedAt: clock }
  t.equal(f.cache.catchUp(older, g - 101), 'stale', 'the change before the last hundred holds no patch any more')
  t.match(f.cache.catchUp(older, g - 100), { checkedAt: clock }, 'the last hundred still do')
  const caught = f.cache.catchUp(older, g - 100) as { answer: { body: Uint8Array } }
  t.match(JSON.parse(Buffer.from(caught.answer.body).toString()), { title: 'Edit 100' }, 'applied in order')
})
