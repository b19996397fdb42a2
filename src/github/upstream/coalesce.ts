// Single-flight reads: identical GETs in flight at the same moment share one upstream request.
// A burst of agents reading the same issue (a triage run, a popular issue) then costs GitHub one
// request instead of N, in quota and in latency. Nothing is served that was not in flight when
// the caller asked, and a write drops the in-flight reads of what it changes, so a read issued
// after a write never joins one that started before it.
import { invalidatedBy } from './etag-cache.js'
import { PooledResponse, type FetchInit, type FetchLike, type MemoryBody, type ResponseHeaders } from './pool.js'

// Octokit only reads a response's headers, so every caller of a flight can share one object;
// an in-memory body is shared too (its JSON is parsed once, frozen, for all of them).
interface Snapshot { status: number, headers: ResponseHeaders, body: MemoryBody }
interface Flight { path: string, done: Promise<Snapshot> }

export interface CoalesceStats { coalesced: number }

/** Resolves with `promise`, or rejects as fetch would when the caller's own signal aborts. */
function untilAborted<T> (promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value) },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error) },
    )
  })
}

/** What every caller of a flight gets: status, headers and the in-memory body. */
const snapshot = (res: PooledResponse): Snapshot => ({ status: res.status, headers: res.headers, body: res.body })

export function withCoalescedReads (fetch: FetchLike, keyOf: (url: string, init: FetchInit) => string, pathOf: (url: string) => string, stats: CoalesceStats): FetchLike {
  const flights = new Map<string, Flight>()
  return async (url, init = {}) => {
    if ((init.method ?? 'GET') !== 'GET') {
      try {
        return await fetch(url, init)
      } finally {
        const stale = invalidatedBy(pathOf(url))
        for (const [key, flight] of flights) if (stale.some((p) => flight.path.startsWith(p))) flights.delete(key)
      }
    }
    const key = keyOf(url, init)
    let flight = flights.get(key)
    if (flight === undefined) {
      // The shared request carries no caller's signal: one caller giving up must not fail the
      // others. It is still bounded by the pool's timeouts.
      const shared: FetchInit = { method: init.method, headers: init.headers, body: init.body }
      const done = fetch(url, shared).then(snapshot)
      const created: Flight = { path: pathOf(url), done }
      flight = created
      flights.set(key, created)
      const land = () => { if (flights.get(key) === created) flights.delete(key) }
      done.then(land, land)
    } else {
      stats.coalesced++
    }
    const snap = await untilAborted(flight.done, init.signal)
    return new PooledResponse(snap.status, url, snap.headers, snap.body)
  }
}
