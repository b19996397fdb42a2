// Conditional requests: a bounded LRU of GitHub GET responses keyed by credential identity,
// Accept header and URL. A repeat read sends If-None-Match; GitHub answers 304 (which costs no
// rate-limit quota) and the cached body is served. Writes drop what they may have changed, so a
// lagging replica's 304 can never hand back our pre-write copy.
import type { MemoryBody, ResponseHeaders } from './pool.js'

interface Entry {
  path: string
  etag: string
  /** The 200's headers and body as GitHub sent them, replayed for a 304 (one parse for all). */
  headers: ResponseHeaders
  body: MemoryBody
}

export interface EtagStats {
  etagHits: number
  etagMisses: number
  etagEntries: number
}

export class EtagCache {
  private readonly entries = new Map<string, Entry>() // Map order doubles as recency order
  hits = 0
  misses = 0
  /** Bumped by every invalidation: a read that started before a write must not store its copy. */
  generation = 0

  constructor (private readonly maxEntries: number, private readonly identity: string) {}

  key (accept: string, url: string): string {
    return `${this.identity} ${accept} ${url}`
  }

  get (key: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry !== undefined) { // refresh recency
      this.entries.delete(key)
      this.entries.set(key, entry)
    }
    return entry
  }

  set (key: string, entry: Entry): void {
    if (this.maxEntries <= 0) return
    this.entries.delete(key)
    this.entries.set(key, entry)
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
  }

  /** Drops every entry whose path starts with one of the (lower-cased) prefixes. */
  invalidate (prefixes: readonly string[]): void {
    this.generation++
    for (const [key, entry] of this.entries) {
      if (prefixes.some((p) => entry.path.startsWith(p))) this.entries.delete(key)
    }
  }

  stats (): EtagStats {
    return { etagHits: this.hits, etagMisses: this.misses, etagEntries: this.entries.size }
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

