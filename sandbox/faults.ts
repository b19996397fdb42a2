// Fault injection. Status faults: "the next N requests matching METHOD + path get this answer
// instead", for tests of retries, throttling and error mapping (5xx, secondary rate limits,
// timeouts). Payload faults: "successful answers matching METHOD + path get their JSON body
// changed", to play a GHES version, a proxy or a future API change that does not keep GitHub's
// schema (a field missing, null or of another type, an odd item in a list).

export interface FaultMatch { method?: string; path: string | RegExp }
export interface Fault {
  status: number
  message?: string
  headers?: Record<string, string>
  count?: number
  delayMs?: number
}
export type Rewrite = (body: unknown) => unknown

interface Armed<T> { method?: string; path: string | RegExp; what: T }

function matches(a: Armed<unknown>, method: string, path: string): boolean {
  if (a.method !== undefined && a.method !== method) return false
  if (typeof a.path === 'string') return a.path === path
  a.path.lastIndex = 0 // a /g or /y RegExp is stateful; every request starts fresh
  return a.path.test(path)
}

export class Faults {
  private armed: Array<Armed<Fault> & { left: number }> = []
  private rewrites: Array<Armed<Rewrite>> = []

  add(match: FaultMatch, fault: Fault): void {
    const left = fault.count ?? 1
    if (left < 1) return
    this.armed.push({ method: match.method?.toUpperCase(), path: match.path, what: fault, left })
  }

  /** Arms a payload fault until the returned function (or clear()) disarms it. */
  rewrite(match: FaultMatch, rewrite: Rewrite): () => void {
    const entry: Armed<Rewrite> = { method: match.method?.toUpperCase(), path: match.path, what: rewrite }
    this.rewrites.push(entry)
    return () => { this.rewrites = this.rewrites.filter((r) => r !== entry) }
  }

  clear(): void {
    this.armed = []
    this.rewrites = []
  }

  /** The first armed fault matching this request, consuming one of its uses. */
  take(method: string, path: string): Fault | undefined {
    if (this.armed.length === 0) return undefined // the common case: no work per request
    const idx = this.armed.findIndex((a) => matches(a, method, path))
    if (idx === -1) return undefined
    const hit = this.armed[idx]
    if (--hit.left === 0) this.armed.splice(idx, 1)
    return hit.what
  }

  /** The body as the first matching payload fault leaves it, changed on a copy (handlers may share objects). */
  reshape(method: string, path: string, body: unknown): unknown {
    if (this.rewrites.length === 0) return body
    const hit = this.rewrites.find((r) => matches(r, method, path))
    return hit === undefined ? body : hit.what(structuredClone(body))
  }
}
