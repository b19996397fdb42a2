import t, { type Test } from 'tap'
import { memoryKv, type Kv } from '../../src/oauth/kv.js'
import { testRedisKv } from './helpers.js'

// claim() is the atomic "first one wins" under the one-time use of codes and refresh tokens.

async function claims (t: Test, kv: Kv) {
  const results = await Promise.all(Array.from({ length: 5 }, async () => await kv.claim('used:x', 1)))
  t.equal(results.filter(Boolean).length, 1, 'one of five concurrent claims wins')
  t.equal(await kv.claim('used:x', 1), false, 'a later claim loses')
  t.equal(await kv.claim('used:y', 1), true, 'another key is its own')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal(await kv.claim('used:x', 1), true, 'once its time is over, the key can be claimed again')
}

t.test('in-process store', async (t) => { await claims(t, memoryKv()) })

t.test('Redis store (SET NX EX)', async (t) => {
  await claims(t, testRedisKv(t, 'oauth-kv'))
})
