import t from 'tap'
import { memoizeRecent } from '../src/memo.js'

t.test('answers are remembered per input, including falsy ones, and memory is bounded', async (t) => {
  const calls: string[] = []
  const check = memoizeRecent((s) => { calls.push(s); return s.length > 3 ? s.length : 0 }, 3)
  t.equal(check('abcd'), 4)
  t.equal(check('abcd'), 4)
  t.equal(check('ab'), 0)
  t.equal(check('ab'), 0, 'a falsy answer is remembered too')
  t.same(calls, ['abcd', 'ab'])
  check('x'); check('y') // the 4th distinct input starts over
  check('abcd')
  t.same(calls, ['abcd', 'ab', 'x', 'y', 'abcd'])
})
