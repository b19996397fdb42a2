import t from 'tap'
import { FailureCounter } from '../../src/auth/failures.js'

// A hand-driven clock: window expiry is tested without waiting.
function counter (max: number, maxEntries?: number) {
  let now = 1_000_000
  const failures = new FailureCounter({ max, windowMs: 60_000, maxEntries, now: () => now })
  return { failures, advance: (ms: number) => { now += ms } }
}

t.test('blocks after max failures until the fixed window ends', async (t) => {
  const { failures, advance } = counter(2)
  t.equal(failures.blockedFor('a'), 0)
  failures.record('a')
  t.equal(failures.blockedFor('a'), 0, 'within budget')
  failures.record('a')
  t.equal(failures.blockedFor('a'), 60, 'budget used: blocked for the rest of the window')
  advance(59_001)
  t.equal(failures.blockedFor('a'), 1, 'Retry-After rounds up and never says 0')
  t.equal(failures.blockedFor('b'), 0, 'other addresses are unaffected')
  advance(999)
  t.equal(failures.blockedFor('a'), 0, 'a new window starts clean')
  t.equal(failures.size, 0, 'the expired window was dropped')
})

t.test('memory is bounded: expired windows go first, then the oldest', async (t) => {
  const { failures, advance } = counter(1, 3)
  failures.record('old-1')
  failures.record('old-2')
  advance(60_000)
  failures.record('new-1')
  failures.record('new-2')
  t.equal(failures.size, 2, 'expired windows were swept to make room')
  failures.record('new-3')
  failures.record('new-4')
  t.equal(failures.size, 3, 'never more than maxEntries')
  t.equal(failures.blockedFor('new-1'), 0, 'the oldest live window was evicted')
  t.ok(failures.blockedFor('new-4') > 0)
})
