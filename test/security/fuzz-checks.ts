// What every fuzzed response must satisfy, what every upstream GitHub request must look like, and
// the tallies the test prints as its summary.
import { OVERSIZED, type Outcome } from './fuzz-client.js'
import type { FuzzRequest } from './fuzz-requests.js'

/** The one 5xx the contract documents for /mcp: MAX_SESSIONS reached (503, retry later). */
export const isSessionCap = (o: Outcome) => o.status === 503 && o.body.includes('Too many open sessions on this server')

const GITHUB_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get', 'completion/complete'])

/**
 * Requests that may legitimately wait on GitHub: a JSON body holding a tool call, resource read,
 * prompt or completion (writes and searches queue behind GitHub's spacing). Anything else,
 * including garbage that merely mentions those methods, must be answered within the hang bound.
 */
export function mayWaitOnGitHub (req: FuzzRequest): boolean {
  if (typeof req.body !== 'string') return false
  let parsed: unknown
  try {
    parsed = JSON.parse(req.body)
  } catch {
    return false
  }
  return (Array.isArray(parsed) ? parsed : [parsed]).some((m: unknown) =>
    typeof m === 'object' && m !== null && GITHUB_METHODS.has(String((m as { method?: unknown }).method)))
}

function isJson (text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Everything wrong with one response; empty when it is an acceptable answer. */
export function problems (req: FuzzRequest, o: Outcome): string[] {
  const out: string[] = []
  if (typeof o.status === 'string') {
    // The server may cut a connection whose body is over the limit before reading all of it.
    const oversized = req.body !== undefined && Buffer.byteLength(req.body) > OVERSIZED
    if (o.status === 'abandoned' || (oversized && o.status.startsWith('error:'))) return out
    // Fastify answers a request line or header over node's limits with 431/400 *and a JSON body*,
    // also to HEAD, whose response has no body: node's client then fails to parse. Not the gateway's.
    if (req.method === 'HEAD' && o.status === 'error:HPE_INVALID_CONSTANT') return out
    out.push(`no response (${o.status})`)
    return out
  }
  if (o.status >= 500 && !isSessionCap(o)) out.push(`${o.status} answer`)
  if (o.status >= 400 && req.method !== 'HEAD' && !(o.contentType.startsWith('application/json') && isJson(o.body))) {
    out.push(`${o.status} without a JSON body (content-type "${o.contentType}", body ${JSON.stringify(o.body.slice(0, 120))})`)
  }
  if (o.status < 300 && req.refused.length > 0) out.push(`${o.status} despite ${req.refused.join(', ')}`)
  if (o.status === 200 && req.method !== 'HEAD' && !o.truncated && o.contentType.startsWith('application/json') && !isJson(o.body)) out.push('200 with invalid JSON')
  return out
}

/** A one-line reproduction: method, path, headers (long values cut), body head. */
export function describe (req: FuzzRequest, sessionId?: string): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s)
  const headers = req.headers.map(([k, v]) => `${k}: ${cut(v, 80)}`)
  if (sessionId !== undefined) headers.push(`mcp-session-id: ${cut(sessionId, 80)}${req.session ? ` (${req.session.variant} anchor)` : ''}`)
  const body = req.body === undefined ? '' : Buffer.isBuffer(req.body) ? `<${req.body.length} bytes>` : cut(req.body, 300)
  return `#${req.n} [${req.category}] ${req.detail} :: ${req.method} ${cut(req.path, 80)} {${headers.join('; ')}} ${JSON.stringify(body)}`
}

// Upstream paths the GitHub domain may produce; owner/repo as the tool schemas allow them.
const OWNER = '[A-Za-z0-9][A-Za-z0-9_-]{0,38}'
const REPO = '(?!\\.\\.?/)[A-Za-z0-9._-]{1,100}'
const ALLOWED_PATHS = [
  new RegExp(`^/repos/${OWNER}/${REPO}(/|$)`), /^\/search\/issues$/, /^\/user(\/|$)/, /^\/orgs\/[^/]+(\/|$)/, /^\/users\/[^/]+(\/|$)/
]
const ALLOWED_QUERY = new Set(['state', 'sort', 'direction', 'since', 'per_page', 'page', 'q', 'labels', 'order', 'type'])

/** Why an upstream request is out of bounds, or undefined when it is fine. */
export function githubPathProblem (method: string, url: string): string | undefined {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  if (!ALLOWED_PATHS.some((re) => re.test(path))) return `${method} ${url}: path outside the allowed shapes`
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path)) return `${method} ${url}: dot segment`
  for (const name of new URLSearchParams(q === -1 ? '' : url.slice(q + 1)).keys()) {
    if (!ALLOWED_QUERY.has(name)) return `${method} ${url}: unexpected query parameter "${name}"`
  }
  return undefined
}

/** Counts per key, printed sorted. */
export class Tally {
  private readonly counts = new Map<string, number>()
  add (key: string): void { this.counts.set(key, (this.counts.get(key) ?? 0) + 1) }
  get (key: string): number { return this.counts.get(key) ?? 0 }
  line (): string {
    return [...this.counts].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([k, n]) => `${k}=${n}`).join(' ')
  }
}
