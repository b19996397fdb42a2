// Conditional requests: a bounded LRU of GitHub GET answers keyed by credential identity, Accept
// header and URL, bounded in entries and in bytes (an issue body can be large, a listing of a
// hundred of them larger). A repeat read sends If-None-Match; GitHub answers 304 (which costs no
// rate-limit quota) and the cached answer is served. Writes drop what they may have changed, so
// a lagging replica's 304 can never hand back our pre-write copy; a change GitHub describes whole
// (a webhook's issue, a write's answer) may replace the cached answer instead (patch-rules.ts).
import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Snapshot } from './pool.js'

/** checkedAt of an entry that must be revalidated: never fresh, whatever the clock says. */
export const STALE = Number.NEGATIVE_INFINITY

export interface Entry {
  path: string
  /** The URL asked for and its Accept header, as in the key. */
  url: string
  accept: string
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
  return (entry.answer.body?.byteLength ?? 0) + headers + key.length + entry.path.length + entry.url.length + entry.accept.length + entry.etag.length
}

/** What a change does to an entry it touches: a new entry in its place, nothing, or stale. */
export type Verdict = Entry | 'keep' | 'stale'

// Changes remembered for the reads in flight: far more than arrive while one read is (10 s at most).
const LOG_SIZE = 1000
// Of those, the latest keep their patch (and the objects it holds) to replay on a read that
// overlapped them; a read that overlapped more is stored stale, to be revalidated.
const REPLAYABLE = 100

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
  /** Bumped by every change: a read that started before one it touches stores its copy only caught up with it (catchUp). */
  generation = 0
  /** The latest changes: their generation, the paths they touch and, for the latest, their patch. */
  private readonly changes: Array<{ generation: number, touches: (path: string) => boolean, patch?: (entry: Entry) => Verdict }> = []

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
   * A change: every entry whose path `touches` accepts must be asked about again before it is
   * served (it keeps its ETag, so GitHub answers 304, no quota, where nothing changed and 200 where
   * something did; dropping it instead would turn every one of those into a 200), unless `patch`
   * gives another verdict. A patched entry is set again, so its size is counted anew (and it is
   * dropped if it no longer fits).
   */
  apply (touches: (path: string) => boolean, patch?: (entry: Entry) => Verdict): void {
    this.changes.push({ generation: ++this.generation, touches, patch })
    if (this.changes.length > LOG_SIZE) this.changes.shift()
    const old = this.changes.at(-1 - REPLAYABLE)
    if (old !== undefined) old.patch = undefined
    if (this.entries === null) return
    const patched: Array<[string, Entry]> = []
    for (const [key, entry] of this.entries.entries()) {
      if (!touches(entry.path)) continue
      const verdict = patch === undefined ? 'stale' : patch(entry)
      if (verdict === 'stale') entry.checkedAt = STALE
      else if (verdict !== 'keep') patched.push([key, verdict])
    }
    for (const [key, entry] of patched) this.entries.set(key, entry)
  }

  /** Whether a change since `generation` touched `path` (when too long ago to tell: yes). */
  changedSince (path: string, generation: number): boolean {
    if (generation === this.generation) return false
    if ((this.changes[0]?.generation ?? Infinity) > generation + 1) return true
    for (let i = this.changes.length - 1; i >= 0 && this.changes[i].generation > generation; i--) {
      if (this.changes[i].touches(path)) return true
    }
    return false
  }

  /**
   * A fresh answer from a read that started at `generation`, caught up with the changes announced
   * while it was in flight: GitHub answered before they reached it, so each that touches its path
   * is applied to it in order, as it was to the cached answers. 'stale' where one cannot be (its
   * patch said so, it carried nothing to apply, or it is no longer remembered): the answer is then
   * stored to be revalidated, under its own ETag, which is newer than any the cache held.
   */
  catchUp (entry: Entry, generation: number): Entry | 'stale' {
    if (generation === this.generation) return entry
    // Generations in the log are consecutive: the first change after the read's is at `from`.
    const from = generation + 1 - (this.changes[0]?.generation ?? Infinity)
    if (from < 0) return 'stale'
    let current = entry
    for (const change of this.changes.slice(from)) {
      if (!change.touches(entry.path)) continue
      const verdict = change.patch === undefined ? 'stale' : change.patch(current)
      if (verdict === 'stale') return 'stale'
      if (verdict !== 'keep') current = verdict
    }
    return current
  }

  stats (): EtagStats {
    return { etagHits: this.hits, etagMisses: this.misses, etagFresh: this.fresh, etagEntries: this.entries?.size ?? 0, etagBytes: this.entries?.calculatedSize ?? 0 }
  }
}
