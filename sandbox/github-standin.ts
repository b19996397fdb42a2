// A local stand-in for GitHub's REST API: real payload shapes, Link pagination, ETags, rate-limit
// headers and error bodies, on a plain node:http server bound to loopback. The demo, every test and
// the benchmarks talk to it instead of api.github.com. Routes live in routes-*.ts; this file owns
// the socket lifecycle and the knobs tests turn (faults, latency, quota, reset).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dispatch, type DispatchDeps } from './dispatch.js'
import { Faults, type Fault, type FaultMatch, type Rewrite } from './faults.js'
import { maxId, type RouteCtx } from './http-kit.js'
import { Quota } from './quota.js'
import { SecondaryLimits, type SecondaryLimitOptions } from './secondary-limits.js'
import { SandboxApp, type SandboxAppOptions } from './github-app.js'
import { sendBroken, type WireFault, type WireFaultKind } from './wire-faults.js'
import { createSeed } from './seed.js'
import { SandboxHook, type Delivery, type HookTarget } from './webhooks.js'
import { OAuthWeb } from './oauth-web.js'
import type { SeedData, SeedIssue } from './types.js'

export type { SeedData } from './types.js'
export type { WireFault } from './wire-faults.js'
export type { Delivery, HookTarget } from './webhooks.js'
export { SANDBOX_OAUTH_APP } from './oauth-web.js'

export const SANDBOX_TOKEN = 'sandbox-token'

export interface StandinOptions {
  port?: number
  host?: string
  token?: string
  latencyMs?: number
  seed?: SeedData
  /** The OAuth App the web flow accepts (default SANDBOX_OAUTH_APP). */
  oauthApp?: { clientId: string; clientSecret: string }
  /** Enforce GitHub's secondary limits (off by default: tests and the demo do not want them). */
  secondaryLimits?: SecondaryLimitOptions
  /** A GitHub App installed on some of the seed's accounts. */
  app?: SandboxAppOptions
  /** Send signed webhook deliveries here when issues, comments or labels change (webhooks.ts). */
  webhook?: HookTarget
}

/** What clients cost the stand-in's token since start or reset(); a benchmark takes differences. */
export interface StandinUsage {
  requests: number
  /** Answers that spent primary quota (core + search); a 304 does not, as on GitHub. */
  quotaSpent: number
  notModified: number
  /** 403s for exceeding a secondary limit. */
  secondaryLimited: number
  /** quotaSpent by route (`GET /search/issues`, ...). */
  spentBy: Record<string, number>
}

export interface RequestLogEntry {
  method: string
  path: string
  /** What the stand-in answered, or would have, had a wire fault not broken it. */
  status: number
  ifNoneMatch?: string
  /** The wire fault that broke this answer. */
  broken?: WireFaultKind
}

export interface GitHubStandin {
  url: string
  close(): Promise<void>
  requests: RequestLogEntry[]
  /** Requests received so far, counted on arrival (`requests` logs each once it is answered). */
  readonly received: number
  reset(): void
  setLatency(ms: number): void
  failNext(match: FaultMatch, fault: Fault): void
  /**
   * The next `fault.count` (default 1) requests matching `match` are handled as usual, then their
   * answer is broken on the wire: reset, hang, truncated, huge, or not JSON (wire-faults.ts).
   */
  breakNext(match: FaultMatch, fault: WireFault): void
  /** Successful JSON answers matching `match` get their body changed until the returned function is called. */
  rewriteBodies(match: FaultMatch, rewrite: Rewrite): () => void
  setRateLimit(remaining: number, resetEpochSeconds?: number): void
  /** Search has its own quota (30/minute) on GitHub; tests of that bucket set it here. */
  setSearchRateLimit(remaining: number, resetEpochSeconds?: number): void
  /** Fresh secondary-limit windows with these options, or `false` to stop enforcing them. */
  setSecondaryLimits(opts: SecondaryLimitOptions | false): void
  usage(): StandinUsage
  state: SeedData
  /** The GitHub App, when the stand-in was started with one. */
  app?: SandboxApp
  /** Where deliveries go (null: nowhere, as without a hook). */
  setWebhook(target: HookTarget | null): void
  /** Sends a ping for the repository, as GitHub does when a hook is created. */
  pingWebhook(owner: string, repo: string): void
  /**
   * Sends the deliveries for a change made to `state` directly, as GitHub does for someone else's
   * edit: `before` is a copy of issue `before.number` taken before the change.
   */
  announceIssueChange(owner: string, repo: string, before: SeedIssue): void
  /** Every delivery sent, in order, with the receiver's status. */
  deliveries: Delivery[]
  /** Resolves once every delivery queued so far was answered. */
  webhooksIdle(): Promise<void>
  /** Users signed in through the OAuth web flow: their tokens and logins. */
  userTokens: ReadonlyMap<string, string>
  /** A user token for a sandbox login, as if that user had signed in through the web flow. */
  userToken(login: string): string
}

// The log is for assertions; a long benchmark must not grow it without bound.
const LOG_CAP = 100_000
// A larger write body is cut off here and then fails to parse (400), instead of filling memory.
const MAX_BODY = 5 * 1024 * 1024

const githubTime = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

export async function startGitHubStandin(opts: StandinOptions = {}): Promise<GitHubStandin> {
  const host = opts.host ?? '127.0.0.1'
  const freshSeed = (): SeedData => (opts.seed ? structuredClone(opts.seed) : createSeed())
  const state = freshSeed()
  const requests: RequestLogEntry[] = []
  const faults = new Faults()
  const quotas = { core: new Quota(5000, 3600), search: new Quota(30, 60) }
  let latencyMs = opts.latencyMs ?? 0
  let requestCount = 0
  let served = 0
  let notModified = 0
  const spentBy = new Map<string, number>()
  const timers = new Set<NodeJS.Timeout>()

  const web = new OAuthWeb(state, opts.oauthApp)
  const ctx: RouteCtx = {
    api: '', // set once listening
    data: state,
    get viewer() { return state.viewer },
    now: githubTime,
    nextId: (kind) => maxId(state, kind) + 1,
    limits: () => ({ core: quotas.core.snapshot(), search: quotas.search.snapshot() }),
  }
  const hook = new SandboxHook(ctx, opts.webhook ?? null)
  const deps: DispatchDeps = {
    ctx, token: opts.token ?? SANDBOX_TOKEN, userTokens: web.tokens, faults, quotas,
    secondary: opts.secondaryLimits && new SecondaryLimits(opts.secondaryLimits),
    app: opts.app && new SandboxApp(opts.app),
    onSpent: (route) => { spentBy.set(route, (spentBy.get(route) ?? 0) + 1) },
    requestId: () => `0000:00000:${(++requestCount).toString(16).toUpperCase().padStart(7, '0')}:0000000:00000000`,
  }

  let received = 0
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    received++
    const method = (req.method ?? 'GET').toUpperCase()
    const rawUrl = req.url ?? '/'
    const q = rawUrl.indexOf('?')
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q)
    const inm = req.headers['if-none-match']
    let rawBody = ''
    if (method !== 'GET' && method !== 'HEAD') {
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length
        if (size <= MAX_BODY) chunks.push(chunk)
      }
      rawBody = Buffer.concat(chunks).toString('utf8')
    }
    if (web.handles(path)) { // github.com's web flow, not the API: no quota, faults or ETags
      const a = web.answer(method, path, new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1)), rawBody, req.headers.accept)
      requests.push({ method, path: rawUrl, status: a.status })
      res.writeHead(a.status, { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)) })
      res.end(a.body)
      return
    }
    // A broken answer is never a 304: the stand-in answers in full, then breaks that.
    const broken = deps.faults.takeWire(method, path)
    const changed = hook.observe(method, path)
    const wire = dispatch(deps, {
      method,
      path,
      query: new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1)),
      authorization: req.headers.authorization,
      ifNoneMatch: broken === undefined ? inm : undefined,
      rawBody,
    })
    changed(wire.status)
    const delay = latencyMs + wire.delayMs
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { timers.delete(t); resolve() }, delay)
        timers.add(t)
      })
    }
    if (res.destroyed) return
    served++
    if (wire.status === 304) notModified++
    if (requests.length >= LOG_CAP) requests.splice(0, LOG_CAP / 2)
    const entry: RequestLogEntry = { method, path: rawUrl, status: wire.status }
    if (inm !== undefined) entry.ifNoneMatch = inm
    if (broken !== undefined) entry.broken = broken.kind
    requests.push(entry)
    if (broken !== undefined) return await sendBroken(res, wire, broken)
    if (wire.body !== undefined) wire.headers['content-length'] = String(Buffer.byteLength(wire.body))
    res.writeHead(wire.status, wire.headers)
    res.end(wire.body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => { if (!res.headersSent) { res.statusCode = 500; res.end() } })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => { server.off('error', reject); resolve() })
  })
  const { port } = server.address() as AddressInfo
  ctx.api = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  return {
    url: ctx.api,
    requests,
    get received() { return received },
    state,
    app: deps.app,
    userTokens: web.tokens,
    userToken: (login) => web.mint(login),
    async close() {
      for (const t of timers) clearTimeout(t) // delayed answers would only hit destroyed sockets
      timers.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve()) // resolves even if already closed (callback gets an error)
        server.closeAllConnections() // keep-alive sockets too, or close() would wait for them
      })
    },
    reset() {
      Object.assign(state, freshSeed()) // in place: callers holding `state` keep a live view
      requests.length = 0
      hook.deliveries.length = 0
      faults.clear()
      web.reset()
      quotas.core.restore()
      quotas.search.restore()
      served = 0
      notModified = 0
      spentBy.clear()
      deps.secondary = opts.secondaryLimits && new SecondaryLimits(opts.secondaryLimits)
      latencyMs = opts.latencyMs ?? 0
    },
    setLatency(ms) { latencyMs = Math.max(0, ms) },
    failNext(match, fault) { faults.add(match, fault) },
    breakNext(match, fault) { faults.breakNext(match, fault) },
    rewriteBodies(match, rewrite) { return faults.rewrite(match, rewrite) },
    setRateLimit(remaining, reset) { quotas.core.set(remaining, reset) },
    setSearchRateLimit(remaining, reset) { quotas.search.set(remaining, reset) },
    setSecondaryLimits(limits) { deps.secondary = limits === false ? undefined : new SecondaryLimits(limits) },
    setWebhook(target) { hook.target = target },
    pingWebhook(owner, name) {
      const repo = state.repos.find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase())
      if (repo) hook.ping(repo)
    },
    announceIssueChange(owner, name, before) {
      const repo = state.repos.find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase())
      const issue = repo?.issues.find((i) => i.number === before.number)
      if (repo && issue) hook.issueEdited(repo, before, issue)
    },
    deliveries: hook.deliveries,
    webhooksIdle: () => hook.idle(),
    usage: () => ({
      requests: served,
      quotaSpent: quotas.core.spent + quotas.search.spent,
      notModified,
      secondaryLimited: deps.secondary?.refused ?? 0,
      spentBy: Object.fromEntries(spentBy),
    }),
  }
}
