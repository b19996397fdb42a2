// Fault injection. Status faults: "the next N requests matching METHOD + path get this answer
// instead", for tests of retries, throttling and error mapping (5xx, secondary rate limits,
// timeouts). Payload faults: "successful answers matching METHOD + path get their JSON body
// changed", to play a GHES version, a proxy or a future API change that does not keep GitHub's
// schema (a field missing, null or of another type, an odd item in a list). Wire faults: "the
// next N requests matching METHOD + path are served, and their answer broken on the wire"
// (reset, hang, truncated, huge, not JSON; wire-faults.ts).
import type { WireFault } from './wire-faults.js'

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
type Counted<T> = Armed<T> & { left: number }

function matches(a: Armed<unknown>, method: string, path: string): boolean {
  if (a.method !== undefined && a.method !== method) return false
  if (typeof a.path === 'string') return a.path === path
  a.path.lastIndex = 0 // a /g or /y RegExp is stateful; every request starts fresh
  return a.path.test(path)
}

function arm<T extends { count?: number }>(list: Array<Counted<T>>, match: FaultMatch, what: T): void {
  const left = what.count ?? 1
  if (left >= 1) list.push({ method: match.method?.toUpperCase(), path: match.path, what, left })
}

function takeFrom<T>(list: Array<Counted<T>>, method: string, path: string): T | undefined {
  if (list.length === 0) return undefined // the common case: no work per request
  const idx = list.findIndex((a) => matches(a, method, path))
  if (idx === -1) return undefined
  const hit = list[idx]
  if (--hit.left === 0) list.splice(idx, 1)
  return hit.what
}

export class Faults {
  private armed: Array<Counted<Fault>> = []
  private wires: Array<Counted<WireFault>> = []
  private rewrites: Array<Armed<Rewrite>> = []

  add(match: FaultMatch, fault: Fault): void {
    arm(this.armed, match, fault)
  }

  /** Arms a wire fault for the next `fault.count` (default 1) matching requests. */
  breakNext(match: FaultMatch, fault: WireFault): void {
    arm(this.wires, match, fault)
  }

  /** Arms a payload fault until the returned function (or clear()) disarms it. */
  rewrite(match: FaultMatch, rewrite: Rewrite): () => void {
    const entry: Armed<Rewrite> = { method: match.method?.toUpperCase(), path: match.path, what: rewrite }
    this.rewrites.push(entry)
    return () => { this.rewrites = this.rewrites.filter((r) => r !== entry) }
  }

  clear(): void {
    this.armed = []
    this.wires = []
    this.rewrites = []
  }

  /** The first armed status fault matching this request, consuming one of its uses. */
  take(method: string, path: string): Fault | undefined {
    return takeFrom(this.armed, method, path)
  }

  /** The first armed wire fault matching this request, consuming one of its uses. */
  takeWire(method: string, path: string): WireFault | undefined {
    return takeFrom(this.wires, method, path)
  }

  /** The body as the first matching payload fault leaves it, changed on a copy (handlers may share objects). */
  reshape(method: string, path: string, body: unknown): unknown {
    if (this.rewrites.length === 0) return body
    const hit = this.rewrites.find((r) => matches(r, method, path))
    return hit === undefined ? body : hit.what(structuredClone(body))
  }
}
