// GitHub's secondary limits as budgets: a burst within the budget goes at once, what is past it
// waits for the next window, and a full queue is refused at once with the wait named.
import t from 'tap'
import { harness, textOf } from '../harness.js'

const search = (n: number) => ({ query: `crash ${n} repo:octo-org/widgets` })

t.test('30 searches go at once; the 31st waits for the next window', async (t) => {
  const h = await harness(t, { domain: { budgets: { search: [{ limit: 30, ms: 60_000 }] } } })
  const start = Date.now()
  const calls = Array.from({ length: 31 }, (_, n) => h.call('search_issues', search(n)))
  let answered = 0
  for (const c of calls) void c.then(() => { answered++ })
  while (answered < 30) await new Promise((resolve) => setTimeout(resolve, 20))
  const elapsed = Date.now() - start
  // Spaced two seconds apart, as GitHub's old guidance had it, 30 searches would take a minute.
  t.ok(elapsed < 20_000, `the first 30 answered in ${elapsed} ms, without spacing`)
  t.equal(h.standin.requests.filter((r) => r.path.startsWith('/search/')).length, 30, 'the 31st was not sent')
  t.equal(answered, 30, 'and is still waiting for the next window')
  await h.domain.close()
  t.match(textOf((await Promise.all(calls)).find((r) => r.isError)!), /shutting down/)
})

t.test('a full queue is refused at once with a clear error naming the wait; closing ends the waits', async (t) => {
  const h = await harness(t, { domain: { budgets: { search: [{ limit: 2, ms: 60_000 }] } } })
  const calls = Array.from({ length: 5 }, (_, n) => h.call('search_issues', search(n)))
  const settled: string[] = []
  for (const c of calls) void c.then((r) => settled.push(r.isError ? textOf(r) : 'ok'))
  // Two go, two wait for the next window (a minute away), the fifth finds the queue full.
  while (settled.length < 3) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(settled.filter((s) => s === 'ok').length, 2)
  const refused = settled.find((s) => s !== 'ok') ?? ''
  t.match(refused, /^GitHub search budget exhausted \(2 a minute\): nothing was sent; try again in about (1[01]\d|12[0-2]) s\.$/)
  t.equal(h.standin.requests.length, 2, 'only what the budget allowed reached GitHub')
  await h.domain.close()
  const rest = await Promise.all(calls)
  t.equal(rest.filter((r) => /shutting down/.test(textOf(r))).length, 2, 'the waiting calls end when the client closes')
})

t.test('new issues and comments spend the notifications budget; other writes do not', async (t) => {
  const h = await harness(t, { domain: { budgets: { notifications: [{ limit: 1, ms: 60_000 }] } } })
  const widgets = { owner: 'octo-org', repo: 'widgets' }
  t.notOk((await h.call('create_issue', { ...widgets, title: 'first' })).isError)
  t.notOk((await h.call('update_issue', { ...widgets, issue_number: 2, title: 'edited' })).isError, 'an edit is not a notification')
  const calls = [
    h.call('add_issue_comment', { ...widgets, issue_number: 2, body: 'one waits a minute' }),
    h.call('create_issue', { ...widgets, title: 'the other is refused' }),
  ]
  const first = await Promise.race(calls)
  t.match(textOf(first), /^GitHub issue and comment creation budget exhausted \(1 a minute\): nothing was sent; try again in about (1[01]\d|12[0-2]) s\.$/, 'refused at once')
  await h.domain.close()
  t.equal((await Promise.all(calls)).filter((r) => /shutting down/.test(textOf(r))).length, 1, 'the waiting one ends when the client closes')
  t.equal(h.standin.requests.filter((r) => r.method === 'POST').length, 1)
})

t.test('writes that wrote nothing give their slot back', async (t) => {
  const h = await harness(t, { domain: { budgets: { write: [{ limit: 1, ms: 60_000 }], notifications: [{ limit: 1, ms: 60_000 }] } } })
  const widgets = { owner: 'octo-org', repo: 'widgets' }
  // Without the slot back, each of these would wait a minute for the next window (and time out).
  const soon = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('waited for the next window')), 20_000))])

  h.standin.failNext({ method: 'PATCH', path: '/repos/octo-org/widgets/issues/2' }, { status: 422, message: 'Validation Failed' })
  t.match(textOf(await soon(h.call('update_issue', { ...widgets, issue_number: 2, title: 'x' }))), /422/)
  const cancelled = new AbortController()
  cancelled.abort()
  await t.rejects(soon(h.api.rest.issues.create({ ...widgets, title: 'never sent', request: { signal: cancelled.signal } })), { name: 'AbortError' })
  t.notOk((await soon(h.call('create_issue', { ...widgets, title: 'goes at once' }))).isError)
  t.same(h.standin.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.status}`), ['PATCH 422', 'POST 201'])
})

t.test('a write a later window refuses gives back the slot it took in an earlier one', async (t) => {
  const h = await harness(t, { domain: { budgets: { notifications: [{ limit: 3, ms: 60_000 }, { limit: 1, ms: 3_600_000 }] } } })
  const create = (title: string) => h.call('create_issue', { owner: 'octo-org', repo: 'widgets', title })
  const soon = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('waited for the next minute')), 20_000))])
  const hourly = /^GitHub issue and comment creation budget exhausted \(1 an hour\): nothing was sent; try again in about \d+ s\.$/
  t.notOk((await create('one a minute, one an hour')).isError)
  const waiting = create('waits an hour') // past the hourly window: queued there (its queue holds one)
  t.match(textOf(await soon(create('refused by the hour'))), hourly, 'the hourly queue is full')
  // Each took a minute slot. Without that slot back, this one would wait for the next minute.
  t.match(textOf(await soon(create('refused again, at once'))), hourly)
  t.match(textOf(await soon(create('and again'))), hourly, 'the minute window never runs dry on refused writes')
  await h.domain.close()
  t.match(textOf(await waiting), /shutting down/)
  t.equal(h.standin.requests.filter((r) => r.method === 'POST').length, 1)
})
