// Single-flight reads: identical GETs in flight at the same moment share one upstream request.
// A burst of agents reading the same issue (a triage run, a popular issue) then costs GitHub one
// request instead of N, in quota and in latency. Nothing is served that was not in flight when
// the caller asked, and a write (or a webhook saying GitHub changed something) drops the in-flight
// reads of what it changes, so a read issued after it never joins one that started before it.
import { affected, writeChange } from './issue-change.js'
import type { Snapshot, SnapshotFetch, UpstreamInit } from './pool.js'

interface Flight {
  path: string
  done: Promise<Snapshot>
  /** Callers still waiting; when the last one leaves, the request is cancelled. */
  waiting: number
  controller: AbortController
}

export interface CoalesceStats { coalesced: number }

/** The single-flight fetch, and how to unregister the reads in flight of some paths. */
export type CoalescedFetch = SnapshotFetch & {
  /** Reads in flight of the (lower-cased) API paths `touches` accepts are not joined by later ones. */
  forget (touches: (path: string) => boolean): void
}

/** The rejection a cancelled fetch gives, whatever reason the caller's signal carries. */
export function abortError (signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error && reason.name === 'AbortError' ? reason : new DOMException('This operation was aborted', 'AbortError')
}

export function withCoalescedReads (
  fetch: SnapshotFetch, keyOf: (url: string, init: UpstreamInit) => string, pathOf: (url: string) => string, stats: CoalesceStats,
): CoalescedFetch {
  const flights = new Map<string, Flight>()
  // Those already waiting keep their flight; it only stops being found.
  const forget = (touches: (path: string) => boolean) => {
    for (const [key, flight] of flights) if (touches(flight.path)) flights.delete(key)
  }

  const start = (key: string, url: string, init: UpstreamInit): Flight => {
    // The shared request carries no caller's signal, only its own: one caller leaving must not
    // fail the others, but when every caller has left nobody needs the answer.
    const controller = new AbortController()
    const done = fetch(url, { method: init.method, headers: init.headers, signal: controller.signal })
    const flight: Flight = { path: pathOf(url), done, waiting: 0, controller }
    flights.set(key, flight)
    const land = () => { if (flights.get(key) === flight) flights.delete(key) }
    done.then(land, land)
    return flight
  }

  const leave = (key: string, flight: Flight) => {
    if (--flight.waiting > 0) return
    if (flights.get(key) === flight) flights.delete(key)
    flight.controller.abort()
  }

  const coalesced: SnapshotFetch = async (url, init) => {
    const method = init.method ?? 'GET'
    if (method !== 'GET') {
      try {
        return await fetch(url, init)
      } finally {
        forget(affected(writeChange(method, pathOf(url), init.body)))
      }
    }
    const signal = init.signal
    if (signal?.aborted) throw abortError(signal)
    const key = keyOf(url, init)
    let flight = flights.get(key)
    if (flight === undefined) flight = start(key, url, init)
    else stats.coalesced++
    const joined = flight
    joined.waiting++
    if (!signal) return await joined.done.finally(() => { joined.waiting-- })
    return await new Promise<Snapshot>((resolve, reject) => {
      let left = false
      const onAbort = () => { left = true; leave(key, joined); reject(abortError(signal)) }
      signal.addEventListener('abort', onAbort, { once: true })
      const settle = () => { signal.removeEventListener('abort', onAbort); if (!left) joined.waiting-- }
      joined.done.then((value) => { settle(); resolve(value) }, (error: unknown) => { settle(); reject(error) })
    })
  }
  return Object.assign(coalesced, { forget })
}
