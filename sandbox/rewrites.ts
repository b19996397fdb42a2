// Payload faults: "answers to requests matching METHOD + path get their JSON body changed by this
// function", to play a GHES version, a proxy or a future API change that does not keep GitHub's
// schema (a field missing, null or of another type, an odd item in a list). The status and headers
// stay GitHub's; the ETag is computed from the changed body, as a real server's would be.
import type { FaultMatch } from './faults.js'

export type Rewrite = (body: unknown) => unknown

interface Armed { method?: string; path: string | RegExp; rewrite: Rewrite }

export class Rewrites {
  private armed: Armed[] = []

  /** Arms a rewrite until the returned function (or clear()) disarms it. */
  add(match: FaultMatch, rewrite: Rewrite): () => void {
    const entry: Armed = { method: match.method?.toUpperCase(), path: match.path, rewrite }
    this.armed.push(entry)
    return () => { this.armed = this.armed.filter((a) => a !== entry) }
  }

  clear(): void {
    this.armed = []
  }

  /** The body as the first matching rewrite leaves it, applied to a copy (handlers may share objects). */
  apply(method: string, path: string, body: unknown): unknown {
    if (this.armed.length === 0) return body // the common case: no work per request
    const hit = this.armed.find((a) => {
      if (a.method !== undefined && a.method !== method) return false
      if (typeof a.path === 'string') return a.path === path
      a.path.lastIndex = 0
      return a.path.test(path)
    })
    return hit === undefined ? body : hit.rewrite(structuredClone(body))
  }
}
