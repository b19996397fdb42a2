import t from 'tap'
import { createHash } from 'node:crypto'
import { assertUnique, createVerifier, entryDigest, parseAuthKeys } from '../../src/auth/keys.js'

const hex = (key: string) => createHash('sha256').update(key).digest('hex')

t.test('entries: plain keys are hashed, sha256:<hex> is taken as the digest, malformed hashes are refused', async (t) => {
  t.same(entryDigest('plain'), Buffer.from(hex('plain'), 'hex'))
  t.same(entryDigest(`SHA256:${hex('x').toUpperCase()}`), Buffer.from(hex('x'), 'hex'))
  t.equal(entryDigest('sha256:abc'), null)
  t.equal(entryDigest('sha256:' + 'z'.repeat(64)), null)
})

t.test('parseAuthKeys: full access, hash-derived name and id; errors name the position only', async (t) => {
  const [key] = parseAuthKeys(['alpha'])
  t.has(key.identity, {
    name: `key-${hex('alpha').slice(0, 8)}`, id: hex('alpha').slice(0, 16), access: { scopes: new Set(['issues:read', 'issues:write']), repos: null }
  })
  t.equal(parseAuthKeys([`sha256:${hex('alpha')}`])[0].identity.id, key.identity.id, 'the hashed form has the same identity')
  for (const bad of ['sha256:abc123', 'sha256:' + 'z'.repeat(64)]) {
    t.throws(() => parseAuthKeys(['fine', bad]), { message: 'AUTH_KEYS: entry 2 starts with "sha256:" but is not followed by 64 hex digits' })
  }
  t.throws(() => assertUnique(parseAuthKeys(['same', `sha256:${hex('same')}`]), (i) => `entry ${i + 1}`),
    { message: 'entry 2: key duplicates another configured key' })
})

t.test('createVerifier: a key in any position is found, anything else is null', async (t) => {
  const keys = ['one', 'two', 'three', 'four']
  const verify = createVerifier(parseAuthKeys(keys))
  for (const key of keys) t.equal(verify(key)?.id, hex(key).slice(0, 16), key)
  t.equal(verify('five'), null)
  t.equal(verify(''), null)
  t.equal(verify(`sha256:${hex('one')}`), null, 'the digest is not the key')
  t.equal(createVerifier([])('one'), null, 'no keys: nothing matches')
})
