import t from 'tap'
import { MemoryBody } from '../../src/github/pool.js'

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
