import t, { type Test } from 'tap'
import { errors } from 'oidc-provider'
import { adapterFactory } from '../../src/oauth/adapter.js'
import { memoryKv, type Kv } from '../../src/oauth/kv.js'
import { testRedisKv } from './helpers.js'

// consume() is where a refresh token's one-time use is decided (oidc-provider reads `consumed`
// first and calls consume later, so racing requests all get this far): exactly one request may
// pass, each other one is refused, and a reuse revokes the grant. The end-to-end race across two
// replicas is test/oauth/refresh-race.test.ts; here each interleaving is set up by hand.

const exp = () => Math.floor(Date.now() / 1000) + 600

async function consumes (t: Test, kv: Kv) {
  const revoked: string[] = []
  const Adapter = adapterFactory(kv, { grantRevoked: async (id) => { revoked.push(id) } })
  const tokens = new Adapter('RefreshToken')
  const access = new Adapter('AccessToken')

  await tokens.upsert('rt1', { grantId: 'g1', exp: exp() }, 600)
  await access.upsert('at1', { grantId: 'g1', exp: exp() }, 600)
  await tokens.consume('rt1')
  t.type((await tokens.find('rt1'))?.consumed, 'number', 'the first use marks the token consumed')
  await t.rejects(tokens.consume('rt1'), errors.InvalidGrant, 'a second use is refused')
  t.equal(await access.find('at1'), undefined, 'and revokes the grant\'s other tokens')
  t.equal(await tokens.find('rt1'), undefined, 'the token itself included')
  t.same(revoked, ['g1'], 'and tells the gateway which grant went')

  // The race that let a late request through: it read the token, another request's reuse then
  // revoked the grant (deleting the token), and only then did the late one consume it.
  await tokens.upsert('rt2', { grantId: 'g2', exp: exp() }, 600)
  const readByLateRequest = await tokens.find('rt2')
  t.ok(readByLateRequest, 'the late request found the token')
  await tokens.revokeByGrantId('g2')
  await t.rejects(tokens.consume('rt2'), errors.InvalidGrant, 'a token revoked after it was read cannot be consumed')

  await t.rejects(tokens.consume('never-issued'), errors.InvalidGrant, 'nor can a token that never existed')

  const codes = new Adapter('AuthorizationCode')
  await codes.upsert('c1', { grantId: 'g3', exp: exp() }, 600)
  await codes.consume('c1')
  await t.rejects(codes.consume('c1'), { message: 'invalid_grant', error_detail: 'authorization code already used' }, 'an authorization code is used once too')
}

t.test('in-process store', async (t) => { await consumes(t, memoryKv()) })

t.test('Redis store', async (t) => {
  await consumes(t, testRedisKv(t, 'oauth-adapter'))
})
