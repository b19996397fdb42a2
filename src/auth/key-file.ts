import { readFileSync } from 'node:fs'
import { ConfigError } from '../config.js'
import { SCOPES, keyAccess, type Scope } from './access.js'
import { entryDigest, identityFor, type StoredKey } from './keys.js'

// AUTH_KEYS_FILE: named, scoped keys. Validated by hand rather than with a schema library so
// that every message names the entry ("keys[2] ("triage-bot"): …") and none quotes a key.
//   {"keys":[{"name":"triage-bot","key":"sha256:<64 hex>","scopes":["issues:read"],
//             "repos":["octo-org/*"],"rateLimit":{"max":120,"windowMs":60000}}]}

const ENTRY_FIELDS = new Set(['name', 'key', 'scopes', 'repos', 'rateLimit'])
// Names appear in logs and audit lines: keep them short and free of spaces or control characters.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/
const REPO_GLOB = /^[A-Za-z0-9_.*-]+\/[A-Za-z0-9_.*-]+$/

class KeyFileError extends ConfigError {
  constructor (message: string) {
    super([`AUTH_KEYS_FILE: ${message}`])
    this.name = 'KeyFileError'
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isInt = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min

export function loadKeyFile (path: string): StoredKey[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new KeyFileError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // V8's message quotes the text around the error, which may be a key: say only where.
    throw new KeyFileError(`${path} is not valid JSON`)
  }
  return parseKeyFile(json)
}

export function parseKeyFile (json: unknown): StoredKey[] {
  if (!isObject(json) || !Array.isArray(json.keys) || json.keys.length === 0) {
    throw new KeyFileError('must be an object {"keys":[…]} with at least one key')
  }
  const names = new Set<string>()
  return json.keys.map((entry: unknown, index: number) => {
    const label = isObject(entry) && typeof entry.name === 'string' ? `keys[${index}] ("${entry.name}")` : `keys[${index}]`
    const fail: (problem: string) => never = (problem) => { throw new KeyFileError(`${label}: ${problem}`) }
    if (!isObject(entry)) return fail('must be an object')
    const key = parseEntry(entry, fail)
    if (names.has(key.identity.name)) fail('name is used by another entry')
    names.add(key.identity.name)
    return key
  })
}

function parseEntry (entry: Record<string, unknown>, fail: (problem: string) => never): StoredKey {
  for (const field of Object.keys(entry)) if (!ENTRY_FIELDS.has(field)) fail(`unknown field "${field}"`)
  const { name, key, scopes, repos, rateLimit } = entry

  if (typeof name !== 'string' || !NAME.test(name)) return fail('name must be 1-64 letters, digits or ._:@- (starting with a letter or digit)')
  if (typeof key !== 'string' || key.length === 0) return fail('key must be a non-empty string')
  const digest = entryDigest(key) ?? fail('key starts with "sha256:" but is not followed by 64 hex digits')

  let granted: readonly Scope[] = SCOPES
  if (scopes !== undefined) {
    if (!Array.isArray(scopes) || scopes.length === 0) return fail('scopes must be a non-empty array')
    scopes.forEach((s: unknown, i) => { if (!SCOPES.includes(s as Scope)) fail(`scopes[${i}] must be issues:read or issues:write`) })
    granted = scopes as Scope[]
  }

  let allowed: string[] | null = null
  if (repos !== undefined) {
    if (!Array.isArray(repos) || repos.length === 0) return fail('repos must be a non-empty array of "owner/repo" globs')
    repos.forEach((r: unknown, i) => {
      if (typeof r !== 'string' || !REPO_GLOB.test(r)) fail(`repos[${i}] must be an "owner/repo" glob such as "octo-org/*"`)
    })
    allowed = repos as string[]
  }

  const identity = { ...identityFor(digest, name), access: keyAccess(granted, allowed) }
  if (rateLimit === undefined) return { digest, identity }
  if (!isObject(rateLimit) || !isInt(rateLimit.max, 1) || !isInt(rateLimit.windowMs, 1000) || Object.keys(rateLimit).length !== 2) {
    return fail('rateLimit must be {"max": integer >= 1, "windowMs": integer >= 1000}')
  }
  return { digest, identity: { ...identity, rateLimit: { max: rateLimit.max, windowMs: rateLimit.windowMs } } }
}
