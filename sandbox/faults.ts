// Fault injection: "the next N requests matching METHOD + path get this answer instead". Used by
// tests of retries, throttling and error mapping (5xx, secondary rate limits, timeouts).

export interface FaultMatch { method?: string; path: string | RegExp }
export interface Fault {
  status: number
  message?: string
  headers?: Record<string, string>
  count?: number
  delayMs?: number
}

interface Armed { method?: string; path: string | RegExp; fault: Fault; left: number }

export class Faults {
  private armed: Armed[] = []

  add(match: FaultMatch, fault: Fault): void {
    const left = fault.count ?? 1
    if (left < 1) return
    this.armed.push({ method: match.method?.toUpperCase(), path: match.path, fault, left })
  }

  clear(): void {
    this.armed = []
  }

  /** The first armed fault matching this request, consuming one of its uses. */
  take(method: string, path: string): Fault | undefined {
    if (this.armed.length === 0) return undefined // the common case: no work per request
    const idx = this.armed.findIndex((a) => {
      if (a.method !== undefined && a.method !== method) return false
      if (typeof a.path === 'string') return a.path === path
      a.path.lastIndex = 0 // a /g or /y RegExp is stateful; every request starts fresh
      return a.path.test(path)
    })
    if (idx === -1) return undefined
    const hit = this.armed[idx]
    if (--hit.left === 0) this.armed.splice(idx, 1)
    return hit.fault
  }
}
