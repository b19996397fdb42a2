import t from 'tap'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadKeyFile, parseKeyFile } from '../../src/auth/key-file.js'

const hex = (key: string) => createHash('sha256').update(key).digest('hex')

t.test('a valid file: plain and hashed keys, defaults for scopes, repos and rateLimit', async (t) => {
  const keys = parseKeyFile({
    keys: [
      { name: 'triage-bot', key: `sha256:${hex('triage-secret')}`, scopes: ['issues:read'], repos: ['octo-org/*', 'a/b'], rateLimit: { max: 120, windowMs: 60000 } },
      { name: 'writer', key: 'writer-secret' }
    ]
  })
  t.equal(keys.length, 2)
  t.same(keys[0].digest, Buffer.from(hex('triage-secret'), 'hex'))
  t.has(keys[0].identity, {
    name: 'triage-bot', id: hex('triage-secret').slice(0, 16),
    access: { scopes: new Set(['issues:read']), repos: ['octo-org/*', 'a/b'] }, rateLimit: { max: 120, windowMs: 60000 }
  })
  t.has(keys[1].identity, {
    name: 'writer', id: hex('writer-secret').slice(0, 16), access: { scopes: new Set(['issues:read', 'issues:write']), repos: null }
  })
  t.notOk('rateLimit' in keys[1].identity)
  const triage = keys[0].identity.access
  t.ok(triage.may('read') && !triage.may('write'), 'the scopes decide what the MCP layer allows')
  t.ok(triage.reaches('octo-org/widgets') && !triage.reaches('octo-user/dotfiles'), 'the globs decide what it reaches')
})

t.test('every invalid entry is named, and no message quotes a key', async (t) => {
  const good = { name: 'ok-bot', key: 'ok-secret-1' }
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [good], /^AUTH_KEYS_FILE: must be an object \{"keys":\[…\]\} with at least one key$/],
    ['empty list', { keys: [] }, /^AUTH_KEYS_FILE: must be an object/],
    ['entry not an object', { keys: [good, 'leak-me-0'] }, /^AUTH_KEYS_FILE: keys\[1\]: must be an object$/],
    ['bad scope', { keys: [good, { name: 'a', key: 'k-a' }, { name: 'triage-bot', key: 'leak-me-1', scopes: ['issues:admin'] }] },
      /^AUTH_KEYS_FILE: keys\[2\] \("triage-bot"\): scopes\[0\] must be issues:read or issues:write$/],
    ['unknown field', { keys: [{ name: 'x', key: 'leak-me-2', scope: ['issues:read'] }] }, /keys\[0\] \("x"\): unknown field "scope"$/],
    ['missing name', { keys: [{ key: 'leak-me-3' }] }, /keys\[0\]: name must be/],
    ['bad name', { keys: [{ name: 'has space', key: 'leak-me-4' }] }, /keys\[0\] \("has space"\): name must be/],
    ['missing key', { keys: [{ name: 'nokey' }] }, /keys\[0\] \("nokey"\): key must be a non-empty string$/],
    ['bad hash', { keys: [{ name: 'h', key: 'sha256:leak-me-5' }] }, /keys\[0\] \("h"\): key starts with "sha256:" but is not followed by 64 hex digits$/],
    ['bad repo', { keys: [{ name: 'r', key: 'leak-me-6', repos: ['octo-org'] }] }, /keys\[0\] \("r"\): repos\[0\] must be an "owner\/repo" glob/],
    ['empty scopes', { keys: [{ name: 's', key: 'leak-me-7', scopes: [] }] }, /keys\[0\] \("s"\): scopes must be a non-empty array$/],
    ['empty repos', { keys: [{ name: 'e', key: 'leak-me-8', repos: [] }] }, /keys\[0\] \("e"\): repos must be a non-empty array/],
    ['rateLimit max 0', { keys: [{ name: 'l', key: 'leak-me-9', rateLimit: { max: 0, windowMs: 60000 } }] }, /keys\[0\] \("l"\): rateLimit must be/],
    ['rateLimit short window', { keys: [{ name: 'w', key: 'leak-me-10', rateLimit: { max: 5, windowMs: 10 } }] }, /keys\[0\] \("w"\): rateLimit must be/],
    ['rateLimit extra field', { keys: [{ name: 'x', key: 'leak-me-11', rateLimit: { max: 5, windowMs: 1000, burst: 2 } }] }, /rateLimit must be/],
    ['duplicate name', { keys: [good, { name: 'ok-bot', key: 'leak-me-12' }] }, /keys\[1\] \("ok-bot"\): name is used by another entry$/]
  ]
  for (const [label, content, expected] of cases) {
    const err = (() => { try { parseKeyFile(content); return null } catch (e) { return e as Error } })()
    t.match(err?.message, expected, label)
    t.notMatch(err?.message ?? '', /leak-me|ok-secret/, `${label}: no key in the message`)
  }
})

t.test('loadKeyFile: unreadable or malformed files are named without quoting their content', async (t) => {
  const dir = t.testdir()
  const broken = join(dir, 'broken.json')
  writeFileSync(broken, '{"keys":[{"name":"x","key":"leak-me-json"')
  t.throws(() => loadKeyFile(broken), { message: `AUTH_KEYS_FILE: ${broken} is not valid JSON` })
  t.throws(() => loadKeyFile(join(dir, 'absent.json')), { message: /^AUTH_KEYS_FILE: cannot read .*absent\.json \(ENOENT\)$/ })
  const good = join(dir, 'good.json')
  writeFileSync(good, JSON.stringify({ keys: [{ name: 'bot', key: 'bot-secret' }] }))
  t.equal(loadKeyFile(good)[0].identity.name, 'bot')
})
