import t from 'tap'
import { MemoryBody } from '../../../src/github/upstream/pool.js'

t.test('an in-memory body: text as often as asked, JSON parsed once into one frozen value', async (t) => {
  const body = new MemoryBody('{"a":{"b":[1,2]}}')
  t.equal(await body.text(), '{"a":{"b":[1,2]}}')
  t.equal(await body.text(), '{"a":{"b":[1,2]}}')
  const one = await body.json() as { a: { b: number[] } }
  t.equal(await body.json(), one)
  t.same(one, { a: { b: [1, 2] } })
  t.throws(() => { one.a.b.push(3) }, TypeError)
  t.same(new Uint8Array(await body.arrayBuffer()), new TextEncoder().encode('{"a":{"b":[1,2]}}'))
  await t.rejects(new MemoryBody('not json').json(), SyntaxError)
})

t.test('a 304\'s headers over its cached 200\'s: newer values win, nothing is lost', async (t) => {
  const { ResponseHeaders } = await import('../../../src/github/upstream/pool.js')
  const cached = new ResponseHeaders([['content-type', 'application/json'], ['x-ratelimit-remaining', '10'], ['etag', 'W/"a"']])
  const fresh = new ResponseHeaders([['x-ratelimit-remaining', '9'], ['date', 'today']])
  const layered = ResponseHeaders.layered(fresh, cached)
  t.equal(layered.get('X-RateLimit-Remaining'), '9')
  t.equal(layered.get('content-type'), 'application/json')
  t.equal(layered.get('missing'), null)
  const all = { 'content-type': 'application/json', 'x-ratelimit-remaining': '9', etag: 'W/"a"', date: 'today' }
  t.same(Object.fromEntries(layered), all)
  t.same(Object.fromEntries(layered), all, 'iterable again')
})
