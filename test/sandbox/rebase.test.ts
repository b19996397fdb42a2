import t from 'tap'
import { rebaseSeed } from '../../sandbox/rebase.js'
import { createSeed, SEED_BASE_DATE } from '../../sandbox/seed.js'

t.test('every *_at moves by the same delta; nothing else changes', async (t) => {
  const seed = createSeed()
  const now = new Date(Date.parse(SEED_BASE_DATE) + 10 * 86_400_000)
  const moved = rebaseSeed(seed, now)
  const before = JSON.stringify(seed)
  const after = JSON.stringify(moved)
  t.not(after, before)
  const stamps = (s: string) => [...s.matchAll(/"(\w+_at)":"([^"]+)"/g)].map((m) => Date.parse(m[2]))
  const a = stamps(before)
  const b = stamps(after)
  t.ok(a.length > 50, `${a.length} timestamps`)
  t.equal(a.length, b.length)
  t.ok(a.every((v, i) => b[i] - v === 10 * 86_400_000), 'shifted by exactly ten days')
  t.equal(after.replace(/"\w+_at":"[^"]+"/g, ''), before.replace(/"\w+_at":"[^"]+"/g, ''), 'only timestamps differ')
  t.equal(JSON.stringify(seed), before, 'the input is not modified')
})
