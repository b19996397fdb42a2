// GitHub failures → words a model can act on: what failed, why, and whether and when to retry.
// Never a stack trace, a token, a request dump or GitHub's raw payload; GitHub's own message is
// cleaned and capped before it is quoted.
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server'
import { BudgetExhaustedError, ClientClosedError } from '../upstream/budget-errors.js'
import type { ErrorPolicy } from '../../mcp/catalog.js'
import { RESOURCE_NOT_FOUND } from '../../mcp/prompts-resources.js'
import { isUpstreamTimeout, UpstreamTooLargeError } from '../upstream/pool.js'
import { QuotaHeldError } from '../upstream/quota-hold.js'
import { UpstreamNotJsonError, UpstreamTimeoutError } from '../upstream/request-policy.js'
import { cleanLine } from './sanitize.js'

interface HttpFailure {
  status: number
  message: string
  request?: { url?: string, method?: string }
  response?: { headers?: Record<string, string | number | undefined>, data?: unknown }
}

export interface Explained {
  message: string
  status: number | null
  internal: boolean
}

function isHttpFailure (e: unknown): e is HttpFailure {
  return e instanceof Error && typeof (e as Partial<HttpFailure>).status === 'number'
}

/** What the failed request was about, from its URL: "issue #12 in octo-org/widgets". */
function subjectOf (url: string | undefined): string {
  const path = url === undefined ? '' : new URL(url).pathname
  const issue = /\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)/.exec(path)
  if (issue !== null) return `issue #${issue[3]} in ${issue[1]}/${issue[2]}`
  const repo = /\/repos\/([^/]+)\/([^/]+)/.exec(path)
  if (repo !== null) return `repository ${repo[1]}/${repo[2]}`
  return path.includes('/search/') ? 'the issue search' : 'the GitHub request'
}

function githubSays (e: HttpFailure): string {
  const data = e.response?.data as { message?: unknown, errors?: Array<{ field?: string, code?: string, message?: string }> } | undefined
  const base = typeof data?.message === 'string' ? data.message : ''
  const details = (Array.isArray(data?.errors) ? data.errors : [])
    .map((d) => [d.field, d.message ?? d.code].filter(Boolean).join(' ')).filter((d) => d !== '')
  return cleanLine([base, ...details].filter((s) => s !== '').join('; '), 300)
}

function rateLimited (e: HttpFailure, subject: string): string | null {
  const h = e.response?.headers ?? {}
  if (e.status !== 403 && e.status !== 429) return null
  if (String(h['x-ratelimit-remaining']) === '0') {
    const reset = Number(h['x-ratelimit-reset'])
    const at = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : null
    const wait = at === null ? '' : ` (in about ${Math.max(1, Math.ceil((at.getTime() - Date.now()) / 60_000))} min)`
    return `GitHub API rate limit exhausted for the gateway's token while requesting ${subject}. ` +
      `It resets at ${at === null ? 'an unknown time' : at.toISOString()}${wait}; retry after that, not before.`
  }
  const retryAfter = Number(h['retry-after'])
  if (Number.isFinite(retryAfter) || /secondary rate limit/i.test(githubSays(e))) {
    const s = Number.isFinite(retryAfter) ? retryAfter : 60
    return `GitHub's secondary rate limit (too many requests in a short time) stopped ${subject}. Retry after ${s} seconds, and send fewer requests at once.`
  }
  return null
}

// A write whose answer never came may have been made: retrying it blindly could make it twice.
const CHECK_FIRST = 'The change may have been made: check (get_issue, list_issues, list_issue_comments) before retrying.'
// Failures to connect: nothing was sent.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])

/** A write that was sent (or may have been) and got no answer: timed out, reset, cut off. */
function unansweredWrite (error: unknown): boolean {
  const method = error instanceof UpstreamTimeoutError
    ? error.method
    : isHttpFailure(error) && error.response === undefined ? error.request?.method : undefined
  if (method === undefined || method === 'GET' || method === 'HEAD') return false
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (NOT_SENT.has(String((e as { code?: unknown }).code))) return false
  }
  return true
}

function byStatus (e: HttpFailure, subject: string, quoted: string): string {
  const s = e.status
  if (s === 401) return 'GitHub rejected the gateway\'s credentials (401). The operator must fix the gateway\'s GitHub credential (GITHUB_TOKEN or the GitHub App); retrying will not help.'
  if (s === 403) return `GitHub refused access to ${subject} (403): the gateway's token lacks permission for it.${quoted} Retrying will not help.`
  if (s === 404) return `Not found: ${subject} (404). It does not exist, or the gateway's token cannot see it. Check the owner, repo and number.`
  if (s === 410) return `Gone: ${subject} (410).${quoted || ' It was deleted or issues are disabled.'} Retrying will not help.`
  if (s === 422) return `GitHub rejected the input for ${subject} (422).${quoted} Fix the arguments and try again.`
  // Octokit reports network failures as status 500 without a response.
  if (s >= 500 && e.response === undefined) {
    return unansweredWrite(e) ? `GitHub's answer for ${subject} never arrived (the connection failed). ${CHECK_FIRST}` : `Could not reach GitHub for ${subject}. Retry in a minute.`
  }
  // A proxy's 502 or 504 can come after GitHub made the change: a write says to check first.
  const method = e.request?.method
  if (s >= 500 && method !== undefined && method !== 'GET' && method !== 'HEAD') return `GitHub failed while handling ${subject} (${s}). ${CHECK_FIRST}`
  if (s >= 500) return `GitHub failed while handling ${subject} (${s}); this is usually temporary. Retry in a minute.`
  return `GitHub answered ${s} for ${subject}.${quoted}`
}

/** Failures the gateway decided on itself, or an answer GitHub gave that is not one. */
function refusedLocally (error: unknown): string | null {
  if (error instanceof BudgetExhaustedError) {
    return `GitHub ${error.budget} budget exhausted (${error.rate}): nothing was sent; try again in about ${error.retryAfterS} s.`
  }
  if (error instanceof ClientClosedError) return 'The gateway is shutting down; nothing was sent to GitHub. Retry in a moment.'
  if (error instanceof UpstreamTooLargeError) {
    const bound = error.limitBytes >= 1048576 ? `${Math.round(error.limitBytes / 1048576)} MiB` : `${Math.round(error.limitBytes / 1024)} KiB`
    return `GitHub's answer was larger than the gateway accepts (${bound}); nothing was returned. Ask for less (a smaller page or limit).`
  }
  if (error instanceof QuotaHeldError) {
    const minutes = Math.max(1, Math.ceil((error.until.getTime() - Date.now()) / 60_000))
    const why = error.secondary
      ? 'GitHub asked the gateway to pause (secondary rate limit: too many requests in a short time)'
      : `GitHub API rate limit exhausted for the gateway's token${error.resource === 'core' ? '' : ` (${error.resource} quota)`}`
    return `${why}; nothing was sent. It resets at ${error.until.toISOString()} (in about ${minutes} min); retry after that, not before.`
  }
  if (error instanceof UpstreamNotJsonError) {
    const seen = `GitHub (or a proxy in front of it) answered ${error.status} with something that is not GitHub's JSON (${error.contentType || 'no content type'}); GitHub may be under maintenance.`
    // A write that got a 2xx may have landed: retrying blindly could create it twice.
    const wrote = error.method !== 'GET' && error.status >= 200 && error.status < 300
    return wrote ? `${seen} ${CHECK_FIRST}` : `${seen} Retry later.`
  }
  return null
}

export function explain (error: unknown): Explained {
  if (isUpstreamTimeout(error)) {
    return { message: `GitHub did not answer in time; it may be slow. ${unansweredWrite(error) ? CHECK_FIRST : 'Retry in a moment.'}`, status: null, internal: false }
  }
  // Octokit cannot put a lone UTF-16 surrogate into a URL; nothing was sent.
  if (error instanceof URIError) return { message: 'The arguments contain malformed Unicode (a lone surrogate) that cannot be sent to GitHub. Remove it and try again.', status: null, internal: false }
  if (error instanceof Error && error.name === 'AbortError') return { message: 'The request was cancelled before GitHub answered.', status: null, internal: false }
  const local = refusedLocally(error)
  if (local !== null) return { message: local, status: null, internal: false }
  if (!isHttpFailure(error)) return { message: 'Internal error in the gateway while handling this request.', status: null, internal: true }
  const subject = subjectOf(error.request?.url)
  const says = githubSays(error)
  const quoted = says === '' ? '' : ` GitHub says: "${says}".`
  const message = rateLimited(error, subject) ?? byStatus(error, subject, quoted)
  return { message, status: error.status, internal: false }
}

export const githubErrorPolicy: ErrorPolicy = {
  toolError (error) {
    const e = explain(error)
    return { message: e.message, internal: e.internal }
  },
  protocolError (error, kind) {
    const e = explain(error)
    const code = e.status === 404 || e.status === 410
      ? (kind === 'resource' ? RESOURCE_NOT_FOUND : ProtocolErrorCode.InvalidParams)
      : ProtocolErrorCode.InternalError
    return new ProtocolError(code, e.message, e.status === null ? undefined : { status: e.status })
  },
}
