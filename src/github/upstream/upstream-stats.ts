// Counts upstream GitHub answers by status and remembers each rate-limit bucket GitHub reports,
// for metrics and for holding calls while a bucket is empty. It wraps the pooled fetch directly,
// so it sees every attempt and the status GitHub really sent (a 304 counts as a 304 before the
// conditional layer turns it into the cached 200).
import type { SnapshotFetch } from './pool.js'

export interface Bucket { remaining: number, limit: number, resetEpochS: number }

export interface UpstreamStats {
  /** Responses by HTTP status ('network' when no response arrived, 'aborted' when cancelled). */
  requests: Map<string, number>
  /** The core bucket, which most calls spend (metrics show this one). */
  quota?: Bucket
  /** Every bucket GitHub reported, by x-ratelimit-resource (core, search, ...). */
  buckets: Map<string, Bucket>
}

export const newUpstreamStats = (): UpstreamStats => ({ requests: new Map(), buckets: new Map() })

export function withUpstreamStats (fetch: SnapshotFetch, stats: UpstreamStats): SnapshotFetch {
  const count = (status: string) => stats.requests.set(status, (stats.requests.get(status) ?? 0) + 1)
  return async (url, init) => {
    let res
    try {
      res = await fetch(url, init)
    } catch (error) {
      count(error instanceof Error && error.name === 'AbortError' ? 'aborted' : 'network')
      throw error
    }
    count(String(res.status))
    const remaining = Number(res.headers.get('x-ratelimit-remaining') ?? NaN)
    if (Number.isFinite(remaining)) {
      const bucket = { remaining, limit: Number(res.headers.get('x-ratelimit-limit')), resetEpochS: Number(res.headers.get('x-ratelimit-reset')) }
      const resource = res.headers.get('x-ratelimit-resource') ?? 'core'
      stats.buckets.set(resource, bucket)
      if (resource === 'core') stats.quota = bucket
    }
    return res
  }
}
