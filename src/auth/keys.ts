import { createHash, timingSafeEqual } from 'node:crypto'
import { FULL_ACCESS, type Access } from './access.js'
import { ConfigError } from '../config.js'

/** Who is calling: what the rate limiter, sessions and logs see. Never the raw key. */
export interface ApiKey {
  /** From the key file, else 'key-' + first 8 hex of the key's SHA-256. */
  name: string
  /** First 16 hex of the key's SHA-256: stable across replicas, safe to log. */
  id: string
  access: Access
  /** Overrides RATE_LIMIT_MAX / RATE_LIMIT_WINDOW_MS for this key. */
  rateLimit?: { max: number; windowMs: number }
}

/** A configured key: only its digest is kept in memory, whatever form it was given in. */
export interface StoredKey {
  digest: Buffer
  identity: ApiKey
}

const HASHED = /^sha256:([0-9a-f]{64})$/i

export function sha256 (value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

/**
 * The digest of a configured entry: `sha256:<64 hex>` as given, anything else hashed.
 * Returns null for an entry that starts with `sha256:` but is malformed, so a typo in a
 * hashed key is refused at start instead of silently becoming a plain key.
 */
export function entryDigest (entry: string): Buffer | null {
  const hashed = HASHED.exec(entry)
  if (hashed) return Buffer.from(hashed[1], 'hex')
  if (entry.toLowerCase().startsWith('sha256:')) return null
  return sha256(entry)
}

export function identityFor (digest: Buffer, name?: string): Pick<ApiKey, 'name' | 'id'> {
  const hex = digest.toString('hex')
  return { name: name ?? `key-${hex.slice(0, 8)}`, id: hex.slice(0, 16) }
}

/** AUTH_KEYS entries: full access, default rate limit. Errors name the position, never the entry. */
export function parseAuthKeys (entries: readonly string[]): StoredKey[] {
  return entries.map((entry, index) => {
    const digest = entryDigest(entry)
    if (digest === null) {
      throw new ConfigError([`AUTH_KEYS: entry ${index + 1} starts with "sha256:" but is not followed by 64 hex digits`])
    }
    return { digest, identity: { ...identityFor(digest), access: FULL_ACCESS } }
  })
}

/** Refuses two entries with the same key: the identity (name, scopes, limit) would be ambiguous. */
export function assertUnique (keys: readonly StoredKey[], describe: (index: number) => string): void {
  const seen = new Set<string>()
  keys.forEach((key, index) => {
    const hex = key.digest.toString('hex')
    if (seen.has(hex)) throw new ConfigError([`${describe(index)}: key duplicates another configured key`])
    seen.add(hex)
  })
}

/**
 * Finds the identity of a presented key in time independent of which key (if any) matches:
 * the key is hashed once, every stored digest is compared with timingSafeEqual (equal lengths
 * by construction), and the loop never exits early.
 */
export function createVerifier (keys: readonly StoredKey[]): (presented: string) => ApiKey | null {
  return (presented) => {
    const digest = sha256(presented)
    let found: ApiKey | null = null
    for (const key of keys) {
      if (timingSafeEqual(digest, key.digest)) found = key.identity
    }
    return found
  }
}
