// While GitHub says a bucket is empty (x-ratelimit-remaining: 0 until x-ratelimit-reset), or has
// asked for a pause longer than the throttling plugin waits out (a secondary limit's
// retry-after), calls are held here, before anything is sent: GitHub warns that an integration
// that keeps calling while limited can be banned, and the answer until then is known anyway.
import type { SnapshotFetch } from './pool.js'
import type { UpstreamStats } from './upstream-stats.js'

/** Not sent: GitHub's quota for this bucket is spent, or GitHub asked for a pause, until `until`. */
export class QuotaHeldError extends Error {
  constructor (readonly resource: string, readonly until: Date, readonly secondary: boolean) {
    super(`GitHub ${secondary ? 'asked the gateway to pause' : `${resource} quota exhausted`} until ${until.toISOString()}`)
    this.name = 'QuotaHeldError'
  }
}

export interface HoldStats {
  /** Calls answered locally because GitHub's quota was spent or GitHub asked for a pause. */
  held: number
}

export interface QuotaHold {
  fetch: SnapshotFetch
  /** GitHub asked for a pause the throttling plugin does not wait out: hold every call until then. */
  pauseUntil (epochMs: number): void
}

/** The bucket a request spends: searches have their own. */
const resourceOf = (path: string): string => path.startsWith('/search/') ? 'search' : 'core'

export function withQuotaHold (fetch: SnapshotFetch, upstream: UpstreamStats, stats: HoldStats, pathOf: (url: string) => string): QuotaHold {
  let pausedUntil = 0
  return {
    pauseUntil (epochMs) { pausedUntil = Math.max(pausedUntil, epochMs) },
    fetch: async (url, init) => {
      const now = Date.now()
      const resource = resourceOf(pathOf(url))
      const bucket = upstream.buckets.get(resource)
      if (bucket !== undefined && bucket.remaining === 0 && bucket.resetEpochS * 1000 > now) {
        stats.held++
        throw new QuotaHeldError(resource, new Date(bucket.resetEpochS * 1000), false)
      }
      if (pausedUntil > now) {
        stats.held++
        throw new QuotaHeldError(resource, new Date(pausedUntil), true)
      }
      return await fetch(url, init)
    },
  }
}
