// Counts upstream GitHub answers by status and remembers the token's core quota, for metrics.
// It wraps the pooled fetch directly, so it sees every attempt and the status GitHub really
// sent (a 304 counts as a 304 before the conditional layer turns it into the cached 200).
import type { FetchLike } from './pool.js'

export interface UpstreamStats {
  /** Responses by HTTP status ('network' when no response arrived, 'aborted' when cancelled). */
  requests: Map<string, number>
  quota?: { remaining: number; limit: number; resetEpochS: number }
}

export function withUpstreamStats (fetch: FetchLike, stats: UpstreamStats): FetchLike {
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
    // Search has its own small quota; the gauge tracks the core one that most calls spend.
    if ((res.headers.get('x-ratelimit-resource') ?? 'core') === 'core') {
      const remaining = Number(res.headers.get('x-ratelimit-remaining') ?? NaN)
      if (Number.isFinite(remaining)) {
        stats.quota = { remaining, limit: Number(res.headers.get('x-ratelimit-limit')), resetEpochS: Number(res.headers.get('x-ratelimit-reset')) }
      }
    }
    return res
  }
}
