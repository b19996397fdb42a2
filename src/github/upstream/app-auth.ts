// A GitHub App as the gateway's service credential: an Octokit auth strategy over
// @octokit/auth-app. Each request is sent with the installation token of the account that owns
// what it touches (or of the one configured installation), minted by auth-app, kept until shortly
// before it expires and minted again then. Installation look-ups and token requests go through
// the same Octokit as everything else (auth-app is handed its request), so the one upstream path
// holds: throttling, retries and the connection pool apply to them too.
import { createAppAuth } from '@octokit/auth-app'
import { LRUCache } from 'lru-cache'
import type { EndpointDefaults, EndpointOptions, RequestInterface, Route, RequestParameters } from '@octokit/types'
import { ToolError } from '../../mcp/tool-errors.js'

export interface GitHubAppCredential {
  appId: string
  /** PEM, PKCS#1 or PKCS#8 (GitHub hands out PKCS#1). */
  privateKey: string
  /** Use this installation for every request instead of choosing one by owner. */
  installationId?: number
  /** A token this close to its expiry is not used again; default 5 minutes. */
  refreshBeforeMs?: number
  /** The clock tokens are judged by (tests move it instead of waiting). */
  now?: () => number
}

/** What auth-app keeps per token: its own '|'-joined record, the expiry third; '' reads as absent. */
interface TokenCache { get (key: string): string, set (key: string, value: string): void }

const INSTALLATION_TTL_MS = 10 * 60_000
const NOT_INSTALLED_TTL_MS = 60_000

/** Token records past `expiresAt - margin` read as absent, so auth-app mints a new one. */
function tokenCache (refreshBeforeMs: number, now: () => number): TokenCache {
  const lru = new LRUCache<string, string>({ max: 1000 })
  return {
    get (key) {
      const record = lru.get(key)
      if (record === undefined) return ''
      const expiresAt = Date.parse(record.split('|')[2] ?? '')
      if (!(expiresAt - refreshBeforeMs > now())) {
        lru.delete(key)
        return ''
      }
      return record
    },
    set (key, value) { lru.set(key, value) },
  }
}

// The routes this strategy sends with the App's JWT: the App's own and the installation look-ups.
const APP_ROUTE = /^\/(?:app(?:\/.*)?|(?:repos\/[^/]+\/[^/]+|users\/[^/]+|orgs\/[^/]+)\/installation)$/

/** A request URL's path below the REST root. */
function pathOf (url: string, baseUrl: string): string {
  const base = new URL(baseUrl + '/').pathname
  return '/' + new URL(url, baseUrl + '/').pathname.slice(base.length)
}

/** The account a request acts on (lower case), and its repository when the path names one. */
export interface Target { owner: string, repo?: string }

/** The owner in a request's path, or the one its search query names; undefined for neither. */
export function targetOf (url: string, baseUrl: string): Target | undefined {
  const u = new URL(url, baseUrl + '/')
  const path = pathOf(url, baseUrl)
  const repo = /^\/repos\/([^/]+)\/([^/]+)/.exec(path)
  if (repo) return { owner: decodeURIComponent(repo[1]).toLowerCase(), repo: decodeURIComponent(repo[2]) }
  const account = /^\/(?:users|orgs)\/([^/]+)/.exec(path)
  if (account) return { owner: decodeURIComponent(account[1]).toLowerCase() }
  if (path.startsWith('/search/')) {
    const owners = new Set<string>()
    for (const m of (u.searchParams.get('q') ?? '').matchAll(/(?:^|\s)(?:repo:"?([^/\s"]+)\/[^\s"]+"?|(?:org|user):"?([^\s"]+)"?)/g)) {
      owners.add((m[1] ?? m[2]).toLowerCase())
    }
    if (owners.size === 1) return { owner: [...owners][0] }
  }
  return undefined
}

type Hook = (request: RequestInterface, route: Route | EndpointDefaults, parameters?: RequestParameters) => Promise<unknown>
interface StrategyContext { request: RequestInterface, log: { warn (m: string): void } }

/**
 * Octokit's `authStrategy` for the App. `auth` (the credential) arrives merged into the options
 * Octokit passes, beside its own request and log.
 */
export function githubAppAuth (options: GitHubAppCredential & StrategyContext) {
  const { appId, privateKey, request, log } = options
  const now = options.now ?? Date.now
  const cache = tokenCache(options.refreshBeforeMs ?? 5 * 60_000, now)
  const appAuth = createAppAuth({ appId, privateKey, request, log, cache })
  const perInstallation = new Map<number, ReturnType<typeof createAppAuth>>()
  const forInstallation = (id: number) => {
    let auth = perInstallation.get(id)
    if (auth === undefined) perInstallation.set(id, auth = createAppAuth({ appId, privateKey, installationId: id, request, log, cache }))
    return auth
  }
  // Owner (lower case) -> installation id, or null while GitHub says the App is not installed there.
  const installations = new LRUCache<string, { id: number | null }>({ max: 1000, ttl: INSTALLATION_TTL_MS })
  let only: Promise<number | undefined> | undefined

  /** The App's single installation, when it has exactly one (for requests that name no owner). */
  // The answer is kept ten minutes; a failure is not kept, so the next request asks again.
  const soleInstallation = () => (only ??= (async () => {
    try {
      const { data } = await request('GET /app/installations', { per_page: 2 }) as { data: Array<{ id: number }> }
      setTimeout(() => { only = undefined }, INSTALLATION_TTL_MS).unref()
      return data.length === 1 ? data[0].id : undefined
    } catch (error) {
      only = undefined
      throw error
    }
  })())

  async function installationFor (url: string, baseUrl: string): Promise<number> {
    if (options.installationId !== undefined) return options.installationId
    const target = targetOf(url, baseUrl)
    if (target === undefined) {
      const id = await soleInstallation()
      if (id !== undefined) return id
      throw new ToolError('The gateway\'s GitHub App is installed on several accounts and this request names none; ' +
        'name the repository (search: add repo:OWNER/NAME, org: or user:), or set GITHUB_APP_INSTALLATION_ID.')
    }
    const { owner } = target
    const known = installations.get(owner)
    if (known !== undefined && known.id !== null) return known.id
    if (known === undefined) {
      const id = await lookUp(target)
      installations.set(owner, { id }, id === null ? { ttl: NOT_INSTALLED_TTL_MS } : undefined)
      if (id !== null) return id
    }
    throw new ToolError(`The gateway's GitHub App is not installed on ${owner}. ` +
      'Install it on that account (and select the repository), or ask the gateway operator.')
  }

  /** An account has one installation of an App; null when GitHub says there is none. */
  async function lookUp ({ owner, repo }: Target): Promise<number | null> {
    // The repository's route works for users and organisations alike; without one, try both.
    const routes: Array<[string, RequestParameters]> = repo !== undefined
      ? [['GET /repos/{owner}/{repo}/installation', { owner, repo }]]
      : [['GET /users/{username}/installation', { username: owner }], ['GET /orgs/{org}/installation', { org: owner }]]
    for (const [route, params] of routes) {
      try {
        const { data } = await request(route, params) as { data: { id: number } }
        return data.id
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error
      }
    }
    return null
  }

  const hook: Hook = async (req, route, parameters) => {
    const endpoint = req.endpoint.merge(route as string, parameters) as EndpointDefaults & EndpointOptions
    const { url } = req.endpoint.parse(endpoint) // the template expanded: the path it will ask for
    // App-level routes (installation look-ups, token requests) carry the App's JWT; auth-app's
    // hook recognises them and signs them so.
    if (APP_ROUTE.test(pathOf(url, endpoint.baseUrl))) return appAuth.hook(req, endpoint)
    const installation = forInstallation(await installationFor(url, endpoint.baseUrl))
    // The token is asked for through Octokit's whole pipeline (`request`, not the inner `req`
    // this hook was handed, which sits below the plugins that read answers).
    let auth = await installation({ type: 'installation' }) as { token: string, createdAt: string }
    for (let attempt = 1; ; attempt++) {
      endpoint.headers.authorization = `token ${auth.token}`
      try {
        return await req(endpoint)
      } catch (error) {
        if ((error as { status?: number }).status !== 401 || attempt > 3) throw error
        // GitHub may not know a token minted a moment ago yet (auth-app waits the same way);
        // an older one was revoked or expired early: mint another, once.
        if (now() - Date.parse(auth.createdAt) < 5_000) await new Promise((resolve) => setTimeout(resolve, attempt * 1000))
        else if (attempt === 1) auth = await installation({ type: 'installation', refresh: true }) as typeof auth
        else throw error
      }
    }
  }
  // Octokit calls auth() for `octokit.auth()`; the App's own identity is what answers it.
  return Object.assign((o: { type?: string } = {}) => o.type === 'installation' ? appAuth(o as never) : appAuth({ type: 'app' }), { hook })
}
