// A small time-bounded memo for completion lookups: typing "oc", "oct", "octo" must not cost
// three GitHub requests. Concurrent callers share one in-flight promise; failures are not kept.

export class TtlCache<T> {
  private readonly entries = new Map<string, { until: number, value: Promise<T> }>()

  constructor (private readonly ttlMs: number, private readonly maxEntries: number) {}

  get (key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now()
    const hit = this.entries.get(key)
    if (hit !== undefined && hit.until > now) return hit.value
    const value = load()
    this.entries.delete(key)
    this.entries.set(key, { until: now + this.ttlMs, value })
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    value.catch(() => { if (this.entries.get(key)?.value === value) this.entries.delete(key) })
    return value
  }
}
