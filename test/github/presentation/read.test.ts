// The field readers: only values the output schemas accept get through; anything else is null.
import t from 'tap'
import { count, labelNames, login, readEach, timestamp, unreadableNote, webUrl } from '../../../src/github/presentation/read.js'

t.test('timestamps: RFC 3339 date-times only, real calendar dates', async (t) => {
  for (const ok of ['2025-05-30T12:00:00Z', '2024-02-29T23:59:59.123Z', '2025-05-30T12:00:00+02:00']) t.equal(timestamp(ok), ok, ok)
  for (const bad of ['yesterday', '2025-05-30', '2025-02-29T00:00:00Z', '2025-13-01T00:00:00Z', '2025-05-30T24:00:00Z',
    '2025-05-30T12:00:00', ' 2025-05-30T12:00:00Z', 1748606400, null, undefined, {}]) {
    t.equal(timestamp(bad), null, String(bad))
  }
})

t.test('links: http(s) only, normalised; counts: non-negative integers', async (t) => {
  t.equal(webUrl('https://github.com/octo-org/widgets/issues/1'), 'https://github.com/octo-org/widgets/issues/1')
  t.equal(webUrl('https://github.com/a b'), 'https://github.com/a%20b')
  for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'not a url', 42, null]) t.equal(webUrl(bad), null, String(bad))
  t.equal(count(0), 0)
  t.equal(count(35), 35)
  for (const bad of [-1, 1.5, '3', NaN, Number.MAX_VALUE, null]) t.equal(count(bad), null, String(bad))
})

t.test('logins and labels: cleaned, unreadable entries dropped', async (t) => {
  t.equal(login({ login: 'alice' }), 'alice')
  t.equal(login({ login: 'a\u200Bb' }), 'ab')
  for (const bad of [null, 'alice', { login: 7 }, { login: '' }, []]) t.equal(login(bad), null, JSON.stringify(bad))
  t.same(labelNames(['bug', { name: 'help wanted' }, { name: null }, null, 7, { name: '' }]), ['bug', 'help wanted'])
  t.same(labelNames(null), [])
  t.same(labelNames({ name: 'bug' }), [], 'not a list')
})

t.test('readEach counts what it cannot read, and the note says so in one line', async (t) => {
  const got = readEach([1, 'x', 2, null], (v) => (typeof v === 'number' ? v * 10 : null))
  t.same(got, { items: [10, 20], unreadable: 2 })
  t.throws(() => readEach({ items: [] }, () => 1), { name: 'ToolError', message: /^GitHub's answer could not be read: a list was expected\./ })
  t.equal(unreadableNote(0), '')
  t.equal(unreadableNote(1), '\n1 item could not be read (GitHub sent an unexpected shape) and was skipped.')
  t.equal(unreadableNote(3), '\n3 items could not be read (GitHub sent an unexpected shape) and were skipped.')
})
