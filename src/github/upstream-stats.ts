// Counts upstream GitHub answers by status and remembers the token's core quota, for metrics.
// Installed inside the conditional-request hook, so a 304 counts as the 304 GitHub sent.
import type { Octokit } from '@octokit/core'

export interface UpstreamStats {
  /** Responses by HTTP status ('network' when no response arrived). */
  requests: Map<string, number>
  quota?: { remaining: number; limit: number; resetEpochS: number }
}

type Headers = Record<string, string | number | undefined>

function headersOf (error: unknown): Headers | undefined {
  return typeof error === 'object' && error !== null && 'response' in error
    ? (error.response as { headers?: Headers } | undefined)?.headers
    : undefined
}

export function installUpstreamStats (octokit: Octokit, stats: UpstreamStats): void {
  const record = (status: string, headers: Headers | undefined) => {
    stats.requests.set(status, (stats.requests.get(status) ?? 0) + 1)
    // Search has its own small quota; the gauge tracks the core one that most calls spend.
    if (headers === undefined || (headers['x-ratelimit-resource'] ?? 'core') !== 'core') return
    const remaining = Number(headers['x-ratelimit-remaining'])
    if (Number.isFinite(remaining)) {
      stats.quota = { remaining, limit: Number(headers['x-ratelimit-limit']), resetEpochS: Number(headers['x-ratelimit-reset']) }
    }
  }
  octokit.hook.wrap('request', async (request, options) => {
    try {
      const response = await request(options)
      record(String(response.status), response.headers as Headers)
      return response
    } catch (error) {
      const status = typeof error === 'object' && error !== null && 'status' in error ? String(error.status) : 'network'
      record(status, headersOf(error))
      throw error
    }
  })
}
