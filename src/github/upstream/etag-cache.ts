// Conditional requests: a bounded LRU of GitHub GET answers keyed by credential identity, Accept
// header and URL, bounded in entries and in bytes (an issue body can be large, a listing of a
// hundred of them larger). A repeat read sends If-None-Match; GitHub answers 304 (which costs no
// rate-limit quota) and the cached answer is served. Writes drop what they may have changed, so
// a lagging replica's 304 can never hand back our pre-write copy.
import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Snapshot } from './pool.js'

/** checkedAt of an entry that must be revalidated: never fresh, whatever the clock says. */
export const STALE = Number.NEGATIVE_INFINITY

export interface Entry {
  path: string
  etag: string
  /** The 200 as GitHub sent it, replayed for a 304. */
  answer: Snapshot
  /** When GitHub last confirmed it (the 200, or a later 304), by the freshness clock. */
  checkedAt: number
}

export interface EtagStats {
  etagHits: number
  etagMisses: number
  /** Reads served from the cache without asking GitHub, while webhooks kept it fresh (freshness.ts). */
  etagFresh: number
  etagEntries: number
  etagBytes: number
}

export interface EtagCacheOptions {
  /** Most entries kept; 0 disables the cache. */
  maxEntries: number
  /** Most bytes kept (bodies plus headers); one entry may use at most a quarter of it. */
  maxBytes: number
}

/** Roughly what an entry holds in memory: its body, headers, key and path. */
function sizeOf (entry: Entry, key: string): number {
  let headers = 0
  for (const [name, value] of entry.answer.headers) headers += name.length + value.length
  return (entry.answer.body?.byteLength ?? 0) + headers + key.length + entry.path.length + entry.etag.length
}

/**
 * A whole JSON document: a cut or non-JSON 200 under a real ETag would otherwise be replayed for
 * every 304 until the resource changed. Parsed only when an entry is stored (a fresh 200), never
 * on the 304s that replay it.
 */
function isWholeJson (body: Uint8Array | null): boolean {
  if (body === null) return false
  try {
    JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
    return true
  } catch {
    return false
  }
}

export class EtagCache {
  private readonly entries: LRUCache<string, Entry> | null
  hits = 0
  misses = 0
  fresh = 0
  /** Bumped by every invalidation: a read that started before a write must not store its copy. */
  generation = 0

  /** Credential identities by Authorization header: hashed once per credential, not per request. */
  private readonly identities = new LRUCache<string, string>({ max: 1000 })

  constructor (opts: EtagCacheOptions) {
    this.entries = opts.maxEntries <= 0 || opts.maxBytes <= 0
      ? null
      : new LRUCache({ max: opts.maxEntries, maxSize: opts.maxBytes, maxEntrySize: Math.max(1, Math.floor(opts.maxBytes / 4)), sizeCalculation: sizeOf })
  }

  /**
   * The key of a read: whose credential asked (the Authorization header that goes out, hashed:
   * an answer one credential may see is never served to another), the Accept header and the URL.
   */
  key (authorization: string, accept: string, url: string): string {
    let identity = this.identities.get(authorization)
    if (identity === undefined) {
      identity = createHash('sha256').update(authorization).digest('hex').slice(0, 16)
      this.identities.set(authorization, identity)
    }
    return `${identity} ${accept} ${url}`
  }

  get (key: string): Entry | undefined {
    return this.entries?.get(key)
  }

  /** Keeps the entry unless it alone is larger than an entry may be, or its body is not whole JSON. */
  set (key: string, entry: Entry): void {
    if (this.entries !== null && isWholeJson(entry.answer.body)) this.entries.set(key, entry)
  }

  /**
   * Every entry whose path starts with one of the (lower-cased) prefixes must be asked about again
   * before it is served: it keeps its ETag, so GitHub answers 304 (no quota) where nothing changed
   * and 200 where something did. Dropping it instead would turn every one of those into a 200.
   */
  invalidate (prefixes: readonly string[]): void {
    this.generation++
    if (this.entries === null) return
    for (const entry of this.entries.values()) {
      if (prefixes.some((p) => entry.path.startsWith(p))) entry.checkedAt = STALE
    }
  }

  stats (): EtagStats {
    return { etagHits: this.hits, etagMisses: this.misses, etagFresh: this.fresh, etagEntries: this.entries?.size ?? 0, etagBytes: this.entries?.calculatedSize ?? 0 }
  }
}

/**
 * What a write to `path` may change: the repository area it touched (`/repos/o/r/issues` for any
 * issue, comment or label write) and every issue search.
 */
export function invalidatedBy (path: string): string[] {
  const m = /^\/repos\/[^/]+\/[^/]+\/[^/]+/.exec(path)
  return m === null ? [path] : [m[0], '/search/issues']
}
