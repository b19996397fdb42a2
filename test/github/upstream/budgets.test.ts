// GitHub's secondary limits as budgets: a burst within the budget goes at once, what is past it
// waits for the next window, and a full queue is refused at once with the wait named.
import t from 'tap'
import { harness, textOf } from '../harness.js'

const search = (n: number) => ({ query: `crash ${n} repo:octo-org/widgets` })

t.test('30 searches go at once; the 31st waits for the next window', async (t) => {
  const windowMs = 6000
  const h = await harness(t, { domain: { budgets: { search: [{ limit: 30, ms: windowMs }] } } })
  h.standin.setSearchRateLimit(1000) // GitHub's own search quota is not what this test is about
  const start = Date.now()
  const done: number[] = []
  const results = await Promise.all(Array.from({ length: 31 }, async (_, n) => {
    const res = await h.call('search_issues', search(n))
    done.push(Date.now() - start)
    return res
  }))
  t.equal(results.filter((r) => r.isError).length, 0)
  done.sort((a, b) => a - b)
  t.ok(done[29] < windowMs, `the first 30 answered within ${done[29]} ms, without spacing`)
  t.ok(done[30] >= windowMs, `the 31st waited for the next window (${done[30]} ms)`)
  t.equal(h.standin.requests.filter((r) => r.path.startsWith('/search/')).length, 31)
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
  t.match(refused, /^GitHub search budget exhausted \(2 a minute\): nothing was sent; try again in about (1[01]\d|120) s\.$/)
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
  t.match(textOf(first), /^GitHub issue and comment creation budget exhausted \(1 a minute\): nothing was sent; try again in about (1[01]\d|120) s\.$/, 'refused at once')
  await h.domain.close()
  t.equal((await Promise.all(calls)).filter((r) => /shutting down/.test(textOf(r))).length, 1, 'the waiting one ends when the client closes')
  t.equal(h.standin.requests.filter((r) => r.method === 'POST').length, 1)
})
