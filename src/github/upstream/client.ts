// One Octokit per process, and the only way the gateway reaches GitHub: @octokit/rest with
// plugin-retry and plugin-throttling, configured rather than replaced, over one keep-alive undici
// Agent. Under Octokit sits one small layer that saves quota (single-flight reads, ETag
// revalidation, counting answers); auth, redirects and retries stay Octokit's and fetch's.
// Sessions share the client; none ever builds its own.
import { Octokit } from '@octokit/rest'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { Logger } from '../../mcp/session-context.js'
import { NAME, VERSION } from '../../mcp/version.js'
import { yieldWithoutClamp } from './bottleneck-yield.js'
import { createBudgets, GITHUB_BUDGETS, type BudgetLimits } from './budgets.js'
import { abortError, withCoalescedReads, type CoalesceStats } from './coalesce.js'
import { apiPath, withConditionalRequests } from './conditional.js'
import { EtagCache, type EtagStats } from './etag-cache.js'
import { affected, type CacheChange } from './issue-change.js'
import { applyChange } from './patch-rules.js'
import type { Freshness } from './freshness.js'
import { agentFetch, createAgent, type SnapshotFetch, type UpstreamInit } from './pool.js'
import { withQuotaHold, type HoldStats } from './quota-hold.js'
import { requestPolicy } from './request-policy.js'
import { perCallAuth } from './credential.js'
import { AnswerResponse } from './octokit-response.js'
import type { GitHubAppCredential } from './app-auth.js'
import { newUpstreamStats, withUpstreamStats, type UpstreamStats } from './upstream-stats.js'
import { shareSearches, type SharedSearchStats } from './shared-searches.js'

// requestPolicy first: the first plugin's hooks are innermost, so the others see its verdicts.
const GatewayOctokit = Octokit.plugin(requestPolicy, retry, throttling)
/** The process's Octokit: what tools, resources and prompts call. */
export type GitHubApi = Octokit

export interface GitHubClientOptions {
  /** The service credential: a token, or (instead) a GitHub App whose installation tokens are used. */
  token?: string
  app?: GitHubAppCredential
  /** REST root, e.g. https://api.github.com or https://ghes.example/api/v3 */
  baseUrl: string
  logger: Logger
  /** Per attempt, for the response headers and again for any pause in the body; default 10 s. */
  requestTimeoutMs?: number
  /** Conditional-request cache entries; default 500, 0 disables. */
  etagCacheSize?: number
  /** Conditional-request cache bytes (bodies and headers); default 32 MiB. */
  etagCacheBytes?: number
  /** Largest answer read from GitHub; past it the call fails cleanly. Default 16 MiB. */
  maxResponseBytes?: number
  /** Keep-alive connections; default 50. */
  maxConnections?: number
  /** GitHub's secondary limits, as budgets; defaults to GitHub's published figures. */
  budgets?: Partial<BudgetLimits>
  /** Backoff unit for retries of 5xx and rate limits; default 1000 ms. */
  retryBaseMs?: number
  /** A rate-limited request is retried once if the wait is at most this; default 10 s. */
  maxRateLimitWaitS?: number
  /** When cached answers may be served without revalidating (webhooks live); default never. */
  freshness?: Freshness
}

export type GitHubStats = EtagStats & UpstreamStats & CoalesceStats & HoldStats & SharedSearchStats

export interface GitHubClient {
  api: GitHubApi
  stats (): GitHubStats
  /**
   * A webhook said what changed: updates the cached answers it describes whole, marks the others it
   * touches for revalidation, and unregisters their reads in flight, so a read from now on never
   * joins one that started before.
   */
  apply (change: CacheChange): void
  close (): Promise<void>
}

// Statuses that no repeat changes. 429 is the throttling plugin's to wait out, not plugin-retry's.
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451]

/** The fetch Octokit calls (it passes a URL string and a plain init), over the snapshot layers. */
function octokitFetch (stack: SnapshotFetch) {
  return async (url: string, init: UpstreamInit) => {
    try {
      const s = await stack(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal })
      // Octokit's fetch wrapper reads only what AnswerResponse has.
      return new AnswerResponse(s.status, s.headers, s.body) as unknown as Response
    } catch (error) {
      // A signal aborted with a plain reason (the SDK passes a string) must still read as a
      // cancellation, which Octokit and plugin-retry leave alone, not as a network failure.
      if (init.signal?.aborted) throw abortError(init.signal)
      throw error
    }
  }
}

export function createGitHubClient (opts: GitHubClientOptions): GitHubClient {
  if ((opts.token === undefined) === (opts.app === undefined)) throw new Error('createGitHubClient: give either a token or an app, not both')
  yieldWithoutClamp()
  const baseUrl = opts.baseUrl.replace(/\/+$/, '')
  const agent = createAgent(opts.maxConnections ?? 50, opts.requestTimeoutMs ?? 10_000)
  const log = opts.logger
  const maxWait = opts.maxRateLimitWaitS ?? 10
  const onLimit = (kind: string) => (retryAfter: number, options: { method: string, url: string }, _o: unknown, retryCount: number) => {
    const again = retryCount === 0 && retryAfter <= maxWait
    log.warn({ kind, method: options.method, route: options.url, retryAfterS: retryAfter, retrying: again }, 'GitHub rate limit')
    // A primary limit holds calls through its bucket's reset; a secondary one through its pause.
    if (!again && kind === 'secondary') hold.pauseUntil(Date.now() + retryAfter * 1000)
    return again
  }
  const budgets = createBudgets({ ...GITHUB_BUDGETS, ...opts.budgets })
  const cache = new EtagCache({ maxEntries: opts.etagCacheSize ?? 500, maxBytes: opts.etagCacheBytes ?? 32 * 1024 * 1024 })
  const upstream = newUpstreamStats()
  const reads: CoalesceStats = { coalesced: 0 }
  const holds: HoldStats = { held: 0 }
  const retryBase = opts.retryBaseMs ?? 1000
  const pathOf = (url: string) => apiPath(url, baseUrl)
  const { freshness } = opts
  // Patched answers are stamped by the clock freshness reads (conditional.ts stamps reads by it too).
  const clock = freshness === undefined ? Date.now : () => freshness.now()
  // Innermost first: the pool, what GitHub answered (for metrics), holding calls while GitHub
  // says no, the ETag cache, single-flight.
  const answers = withUpstreamStats(agentFetch(agent, opts.maxResponseBytes ?? 16 * 1024 * 1024), upstream)
  const hold = withQuotaHold(answers, upstream, holds, pathOf)
  const coalesced = withCoalescedReads(
    withConditionalRequests(hold.fetch, cache, baseUrl, freshness),
    (url, init) => cache.key(init.headers?.authorization ?? '', init.headers?.accept ?? '', url),
    pathOf,
    reads,
  )
  const api = new GatewayOctokit({
    // The caller's own credential when a call carries one (credential.ts), else the service
    // credential: the token, or the GitHub App's installation token for the owner (app-auth.ts).
    authStrategy: perCallAuth,
    auth: { token: opts.token, app: opts.app },
    baseUrl,
    userAgent: `${NAME}/${VERSION}`,
    request: { fetch: octokitFetch(coalesced), parseSuccessResponseBody: false },
    retry: { retries: 2, retryAfterBaseValue: retryBase, doNotRetry: DO_NOT_RETRY },
    throttle: {
      id: 'gateway',
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: retryBase,
      ...budgets.groups,
    },
    // Octokit logs every request; failures are routine (a 404 is an answer), so they stay at debug.
    log: {
      debug: (m: string) => log.debug({}, m),
      info: (m: string) => log.debug({}, m),
      warn: (m: string) => log.warn({}, m),
      error: (m: string) => log.debug({}, m),
    },
  })
  // Outermost: a request the budgets refused reads as that, not as a Bottleneck internal.
  api.hook.error('request', (error, options) => {
    budgets.release({ method: options.method, url: options.url }, error)
    throw budgets.translate(error)
  })
  // Outermost of all: identical searches share one trip through the budgets.
  const shared: SharedSearchStats = { searchesShared: 0 }
  const searches = shareSearches(api, shared)

  let closing: Promise<void> | undefined
  return {
    api,
    stats: () => ({ ...cache.stats(), ...upstream, ...reads, ...holds, ...shared }),
    apply: (change) => {
      applyChange(cache, change, clock())
      const stale = affected(change)
      coalesced.forget(stale)
      if (stale('/search/issues')) searches.forget()
    },
    close: () => (closing ??= (async () => { // idempotent: shutdown paths may overlap
      await Promise.all([budgets.close(), agent.close()])
    })()),
  }
}
