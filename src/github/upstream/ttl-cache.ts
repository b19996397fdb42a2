// A small time-bounded memo for completion lookups: typing "oc", "oct", "octo" must not cost
// three GitHub requests. Concurrent callers share one in-flight promise; failures are not kept.
import { LRUCache } from 'lru-cache'

export class TtlCache<T> {
  private readonly entries: LRUCache<string, { value: Promise<T> }>

  constructor (ttlMs: number, maxEntries: number) {
    this.entries = new LRUCache({ max: maxEntries, ttl: ttlMs })
  }

  get (key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key)
    if (hit !== undefined) return hit.value
    const entry = { value: load() }
    this.entries.set(key, entry)
    entry.value.catch(() => { if (this.entries.get(key) === entry) this.entries.delete(key) })
    return entry.value
  }

  /** Drops the entries whose key `stale` accepts (a webhook said what they were made from changed). */
  forget (stale: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (stale(key)) this.entries.delete(key)
  }
}
