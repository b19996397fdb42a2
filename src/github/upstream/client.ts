// One Octokit per process: keep-alive pool, timeout, rate-limit aware throttling, safe retries,
// conditional requests, and a versioned User-Agent. Sessions share it; none ever builds its own.
import { createHash } from 'node:crypto'
import { Octokit } from '@octokit/rest'
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling'
import type { Logger } from '../../mcp/session-context.js'
import { NAME, VERSION } from '../../mcp/version.js'
import { apiPath, withConditionalRequests } from './conditional.js'
import { directReads, type DirectRead } from './direct.js'
import { withCoalescedReads, type CoalesceStats } from './coalesce.js'
import { EtagCache, type EtagStats } from './etag-cache.js'
import { Lane, RetryRunner } from './lane.js'
import { createAgent, isJsonType, pooledFetch, type Body } from './pool.js'
import { safeRetry } from './retry.js'
import { withUpstreamStats, type UpstreamStats } from './upstream-stats.js'

// safeRetry stands in for @octokit/plugin-retry (see retry.ts for the measured reason).
const GatewayOctokit = Octokit.plugin(safeRetry, throttling)
/** The process's Octokit, plus `read`: a GET of a built path that skips Octokit when it succeeds. */
export type GitHubApi = InstanceType<typeof GatewayOctokit> & { read: DirectRead }

export interface GitHubClientOptions {
  token: string
  /** REST root, e.g. https://api.github.com or https://ghes.example/api/v3 */
  baseUrl: string
  logger: Logger
  /** Per attempt, for the response headers and again for any pause in the body; default 10 s. */
  requestTimeoutMs?: number
  /** Conditional-request cache entries; default 500, 0 disables. */
  etagCacheSize?: number
  /** Keep-alive connections, i.e. concurrent upstream requests; default 50. */
  maxConnections?: number
  /** Gap between write starts; default 1000 ms, GitHub's guidance against secondary limits. */
  writeSpacingMs?: number
  /** Gap between searches; default 2000 ms (GitHub allows 30 searches a minute). */
  searchSpacingMs?: number
  /** Backoff unit for retries of 5xx and rate limits; default 1000 ms. */
  retryBaseMs?: number
  /** A rate-limited request is retried once if the wait is at most this; default 10 s. */
  maxRateLimitWaitS?: number
}

export type GitHubStats = EtagStats & UpstreamStats & CoalesceStats

export interface GitHubClient {
  api: GitHubApi
  stats (): GitHubStats
  close (): Promise<void>
}

// Creating issues and comments is not idempotent: a retry after a lost response posts twice.
// Adding labels is (adding a label twice changes nothing), as are GET, PATCH, PUT and DELETE.
const SAFE_POST = /\/labels$/

/**
 * Octokit parses every success body with json-with-bigint, a regex pass plus a reviver over the
 * whole text: a sixth of the gateway's CPU on a get_issue in the benchmark. GitHub's ids and
 * numbers are all below 2^53, so the native JSON.parse is exact for them. Octokit is told to
 * hand over the raw body and this hook parses it (error bodies keep Octokit's own handling).
 */
function parseBodiesNatively (api: InstanceType<typeof GatewayOctokit>): void {
  api.hook.wrap('request', async (request, options) => {
    options.request = { ...options.request, parseSuccessResponseBody: false }
    const response = await request(options)
    const body = response.data as Body | undefined
    if (body === undefined || body === null || typeof body !== 'object' || !('text' in body)) return response
    const text = await body.text()
    response.data = isJsonType(String(response.headers['content-type'] ?? '')) && text !== '' ? JSON.parse(text) : text
    return response
  })
}

export function createGitHubClient (opts: GitHubClientOptions): GitHubClient {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '')
  const agent = createAgent(opts.maxConnections ?? 50, opts.requestTimeoutMs ?? 10_000)
  const log = opts.logger
  const maxWait = opts.maxRateLimitWaitS ?? 10
  const onLimit = (kind: string) => (retryAfter: number, options: { method: string, url: string }, _o: unknown, retryCount: number) => {
    const again = retryCount === 0 && retryAfter <= maxWait
    log.warn({ kind, method: options.method, route: options.url, retryAfterS: retryAfter, retrying: again }, 'GitHub rate limit')
    return again
  }
  // Writes and notification-triggering writes (new issues, comments) are separate lanes, as in
  // the throttling plugin's defaults: one shared lane would book two slots for every create.
  const writes = new Lane(opts.writeSpacingMs ?? 1000, { name: 'writes' })
  const notifications = new Lane(opts.writeSpacingMs ?? 1000, { name: 'writes' })
  const searches = new Lane(opts.searchSpacingMs ?? 2000, { name: 'searches' })
  const identity = createHash('sha256').update(opts.token).digest('hex').slice(0, 16)
  const cache = new EtagCache(opts.etagCacheSize ?? 500, identity)
  const upstream: UpstreamStats = { requests: new Map() }
  const reads: CoalesceStats = { coalesced: 0 }
  // Innermost first: the pool, what GitHub answered (for metrics), the ETag cache, single-flight.
  const fetch = withCoalescedReads(
    withConditionalRequests(withUpstreamStats(pooledFetch(agent), upstream), cache, baseUrl),
    (url, init) => cache.key(init.headers?.accept ?? '', url),
    (url) => apiPath(url, baseUrl),
    reads
  )
  const octokit = new GatewayOctokit({
    auth: opts.token,
    baseUrl,
    userAgent: `${NAME}/${VERSION}`,
    request: { fetch },
    safeRetry: { retries: 2, baseMs: opts.retryBaseMs ?? 1000 },
    // Our lanes and retry runner replace the plugin's Bottleneck groups; it only ever calls
    // key().schedule() and on('failed') on them, but its types insist on Bottleneck.
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: opts.retryBaseMs ?? 1000,
      global: new Lane(0), // concurrency is bounded by the pool's connections instead
      write: writes,
      notifications,
      search: searches,
      retryLimiter: new RetryRunner(),
    } as unknown as ThrottlingOptions,
    // Octokit logs every request; failures are routine (a 404 is an answer), so they stay at debug.
    log: {
      debug: (m: string) => log.debug({}, m),
      info: (m: string) => log.debug({}, m),
      warn: (m: string) => log.warn({}, m),
      error: (m: string) => log.debug({}, m),
    },
  })
  octokit.hook.before('request', (options) => {
    if (options.method === 'POST' && !SAFE_POST.test(options.url)) options.request.retries = 0
  })
  parseBodiesNatively(octokit)
  const api: GitHubApi = Object.assign(octokit, { read: directReads(octokit, fetch, { baseUrl, token: opts.token, logger: log }) })

  let closing: Promise<void> | undefined
  return {
    api,
    stats: () => ({ ...cache.stats(), ...upstream, ...reads }),
    close: () => (closing ??= (async () => { // idempotent: shutdown paths may overlap
      for (const lane of [writes, notifications, searches]) lane.close()
      await agent.close()
    })()),
  }
}
