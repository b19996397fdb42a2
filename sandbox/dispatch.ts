// One request in, one wire answer out, in GitHub's order of checks: injected fault, credentials,
// route, quota, secondary limits (when on), JSON body, handler; then ETag / If-None-Match (a 304
// costs no quota).
import { createHash } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Faults } from './faults.js'
import type { SandboxApp } from './github-app.js'
import { DOCS, fail, type Answer, type RouteCtx } from './http-kit.js'
import type { Quota } from './quota.js'
import { matchRoute } from './router.js'
import { secondaryLimitAnswer, type SecondaryLimits } from './secondary-limits.js'

export interface Incoming {
  method: string
  path: string
  query: URLSearchParams
  authorization: string | undefined
  ifNoneMatch: string | undefined
  rawBody: string
}

export interface Wire { status: number; headers: Record<string, string>; body?: string; delayMs: number }

export interface DispatchDeps {
  ctx: RouteCtx
  token: string
  /** Tokens issued by the OAuth web flow, to the login each acts as. */
  userTokens?: ReadonlyMap<string, string>
  faults: Faults
  quotas: { core: Quota; search: Quota }
  /** Told the route of every answer that spent primary quota. */
  onSpent?: (route: string) => void
  /** Off unless the stand-in was asked to enforce them (the agent-workload benchmark). */
  secondary?: SecondaryLimits
  /** A GitHub App installed on some accounts (its JWT and installation tokens are accepted). */
  app?: SandboxApp
  requestId(): string
}

const BASE_HEADERS = {
  'x-github-api-version-selected': '2022-11-28',
  'x-github-media-type': 'github.v3; format=json',
  'x-oauth-scopes': 'repo, read:org',
  vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
}

const etagOf = (body: string): string => `W/"${createHash('md5').update(body).digest('hex')}"`

// If-None-Match may list several tags, with or without the weak prefix (weak comparison).
function etagMatches(header: string, etag: string): boolean {
  const bare = etag.slice(2)
  return header.split(',').some((t) => { const v = t.trim(); return v === '*' || v === etag || v === bare })
}

const AUTH = /^(?:token|bearer)\s+(\S+)\s*$/i

export function dispatch(deps: DispatchDeps, req: Incoming): Wire {
  const match = matchRoute(req.method, req.path)
  const resource = match?.bucket === 'search' ? 'search' : 'core'
  const quota = deps.quotas[resource]
  const base = { ...BASE_HEADERS, 'x-github-request-id': deps.requestId() }
  const send = (status: number, extra: Record<string, string> = {}, body?: string, delayMs = 0): Wire => {
    const headers: Record<string, string> = { ...base, ...quota.headers(resource), ...extra }
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8'
    return { status, headers, body, delayMs }
  }
  const answer = (a: Answer, extra: Record<string, string> = {}, delayMs = 0): Wire =>
    send(a.status, { ...a.headers, ...extra },
      a.status === 204 || a.status === 304 ? undefined : JSON.stringify(a.body ?? null), delayMs)

  const fault = deps.faults.take(req.method, req.path)
  if (fault) {
    const message = fault.message ?? STATUS_CODES[fault.status] ?? 'Error'
    const lower = Object.fromEntries(Object.entries(fault.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
    return answer(fail(fault.status, message), lower, fault.delayMs ?? 0)
  }
  const auth = AUTH.exec(req.authorization ?? '')
  const credential = auth?.[1]
  // A GitHub App's JWT opens only the App's routes; its installation tokens only its accounts'.
  if (deps.app && credential !== undefined && deps.app.isAppRoute(req.path)) {
    return answer(deps.app.answerAppRoute(deps.ctx, req.method, req.path, credential))
  }
  const installation = credential === undefined ? undefined : deps.app?.checkToken(credential, req.path)
  if (installation && !installation.ok) return answer(installation.answer)
  // The service token and the App's installation tokens act as the seed's viewer; a token from
  // the OAuth web flow as the user who signed in.
  const viewer = credential === undefined ? undefined
    : installation?.ok === true || credential === deps.token ? deps.ctx.data.viewer : deps.userTokens?.get(credential)
  if (viewer === undefined) return answer(fail(401, 'Bad credentials'))
  if (match && match.bucket !== 'free' && quota.exhausted()) {
    const id = deps.ctx.data.users.find((u) => u.login === deps.ctx.data.viewer)?.id ?? 0
    return answer(fail(403, `API rate limit exceeded for user ID ${id}. If you reach out to GitHub Support ` +
      `for help, please include the request ID ${base['x-github-request-id']}.`,
    'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'))
  }
  const wait = match && deps.secondary?.admit(req.method, match.bucket)
  if (wait) return answer(secondaryLimitAnswer(base['x-github-request-id']), { 'retry-after': String(wait) })
  const result = route(deps, req, match, viewer)
  const isGet = req.method === 'GET' || req.method === 'HEAD'
  if (isGet && result.status === 200) {
    const body = JSON.stringify(result.body)
    const etag = etagOf(body)
    const cache = { ...result.headers, etag, 'cache-control': 'private, max-age=60, s-maxage=60' }
    // GitHub: a conditional request answered 304 does not count against the quota.
    if (req.ifNoneMatch !== undefined && etagMatches(req.ifNoneMatch, etag)) return send(304, cache)
    if (match?.bucket !== 'free') spend(deps, quota, match)
    return send(200, cache, body)
  }
  if (match?.bucket !== 'free') spend(deps, quota, match)
  return answer(result)
}

function spend(deps: DispatchDeps, quota: Quota, match: ReturnType<typeof matchRoute>): void {
  quota.take()
  deps.onSpent?.(match?.route ?? 'no route (404)')
}

function route(deps: DispatchDeps, req: Incoming, match: ReturnType<typeof matchRoute>, viewer: string): Answer {
  if (!match) return fail(404, 'Not Found')
  let body: unknown
  if (req.rawBody.trim() !== '') {
    try {
      body = JSON.parse(req.rawBody)
    } catch {
      return fail(400, 'Problems parsing JSON', DOCS)
    }
  } else if (req.method !== 'GET' && req.method !== 'HEAD') {
    body = {} // an empty write body is an empty object: the handler then names the missing field
  }
  try {
    const a = match.handler({ ...deps.ctx, viewer }, match.params, { method: req.method, path: req.path, query: req.query, body })
    // Payload faults change what a successful answer says, never whether it succeeded.
    return a.status >= 300 || a.body === undefined ? a : { ...a, body: deps.faults.reshape(req.method, req.path, a.body) }
  } catch {
    return fail(500, 'Server Error') // a stand-in bug must still look like an HTTP answer
  }
}
