// The upstream HTTP pool: one keep-alive undici Agent per process, so connections are reused
// across sessions and requests. Timeouts are the Agent's own (headers, body, connect), which
// cost nothing per request, unlike a timer signal per call.
import { Agent, util, type Dispatcher } from 'undici'
import { deepFreeze } from '../../deep-freeze.js'

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

export function createAgent (connections: number, timeoutMs: number): Agent {
  return new Agent({
    // Bounded connections double as the cap on concurrent upstream requests (GitHub's secondary
    // limits start at 100 concurrent requests per token).
    connections,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 300_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: Math.min(timeoutMs, 10_000) },
  })
}

/** The part of a fetch Headers object Octokit reads: iteration and get(). */
export class ResponseHeaders {
  readonly map = new Map<string, string>()
  constructor (entries: Iterable<[string, string]>) {
    for (const [name, value] of entries) this.map.set(name, value)
  }

  get (name: string): string | null { return this.map.get(name.toLowerCase()) ?? null }
  [Symbol.iterator] (): IterableIterator<[string, string]> { return this.map.entries() }

  /** `top`'s headers over `base`'s, merged only if someone iterates (a 304 over its cached 200). */
  static layered (top: ResponseHeaders, base: ResponseHeaders): ResponseHeaders {
    return new LayeredHeaders(top, base)
  }
}

class LayeredHeaders extends ResponseHeaders {
  private merged = false
  constructor (private readonly top: ResponseHeaders, private readonly base: ResponseHeaders) { super([]) }
  override get (name: string): string | null { return this.top.get(name) ?? this.base.get(name) }
  override [Symbol.iterator] (): IterableIterator<[string, string]> {
    if (!this.merged) {
      for (const [name, value] of this.base) this.map.set(name, value)
      for (const [name, value] of this.top) this.map.set(name, value)
      this.merged = true
    }
    return this.map.entries()
  }
}

export interface Body { text (): Promise<string>, json (): Promise<unknown>, arrayBuffer (): Promise<ArrayBuffer> }

/**
 * A body held in memory. Its text can be read any number of times; `json()` parses it once and
 * hands every reader the same deep-frozen value. Bodies are shared: by the readers of one
 * single-flight request, and by every 304 replay of an ETag-cache entry, so a revalidated read
 * costs no parse and a reader that tried to change the shared value would throw.
 */
export class MemoryBody implements Body {
  private parsed: { value: unknown } | undefined
  constructor (readonly content: string) {}
  async text () { return this.content }
  async json () { return this.value() }
  /** The parsed, frozen body, synchronously (throws SyntaxError for a body that is not JSON). */
  value (): unknown { return (this.parsed ??= { value: deepFreeze(JSON.parse(this.content)) }).value }
  async arrayBuffer () { return new TextEncoder().encode(this.content).buffer as ArrayBuffer }
}

/** Whether a Content-Type names JSON (GitHub's SCIM endpoints answer application/scim+json). */
export const isJsonType = (type: string | null | undefined): boolean => /^application\/(scim\+)?json/i.test(type ?? '')

/** The part of a fetch Response Octokit reads (status, url, headers, the body as text/JSON/bytes). */
export class PooledResponse {
  readonly statusText = ''
  constructor (readonly status: number, readonly url: string, readonly headers: ResponseHeaders, readonly body: MemoryBody) {}
  text () { return this.body.text() }
  json () { return this.body.json() }
  arrayBuffer () { return this.body.arrayBuffer() }
}

export interface FetchInit { method?: string, body?: string, headers?: Record<string, string>, signal?: AbortSignal | null }
export type FetchLike = (url: string, init?: FetchInit) => Promise<PooledResponse>

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 3
/** Never forwarded to another origin (as fetch and undici's redirect handler do). */
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization'])

interface Answer { status: number, raw: Buffer[], body: string }

/**
 * One request on the Agent with a minimal dispatch handler that collects the answer in memory:
 * no Readable body stream, no async resource, no handler wrappers. Against undici's `request()`
 * this took about a quarter of the CPU off an upstream read in the benchmark. Every answer is
 * read whole anyway (Octokit reads error bodies too), and the Agent's header and body timeouts
 * still bound it.
 */
function dispatchOnce (agent: Agent, target: URL, method: string, headers: Record<string, string> | undefined, body: string | undefined, signal: AbortSignal | null | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return }
    let status = 0
    let raw: Buffer[] = []
    const chunks: Buffer[] = []
    let abort: ((reason: Error) => void) | undefined
    const onAbort = () => abort?.(signal!.reason as Error)
    signal?.addEventListener('abort', onAbort, { once: true })
    const settle = () => signal?.removeEventListener('abort', onAbort)
    agent.dispatch({ origin: target.origin, path: target.pathname + target.search, method: method as Dispatcher.HttpMethod, headers, body }, {
      onConnect (abortRequest: (reason: Error) => void) {
        abort = abortRequest
        if (signal?.aborted) abortRequest(signal.reason as Error)
      },
      onHeaders (statusCode: number, rawHeaders: Buffer[]) { status = statusCode; raw = rawHeaders; return true },
      onData (chunk: Buffer) { chunks.push(chunk); return true },
      onComplete () { settle(); resolve({ status, raw, body: Buffer.concat(chunks).toString('utf8') }) },
      onError (error: Error) { settle(); reject(error) },
    } as unknown as Dispatcher.DispatchHandler)
  })
}

/** Response headers from undici's raw list: names lower-cased, repeated ones joined as fetch does. */
function headersOf (raw: Buffer[]): ResponseHeaders {
  const headers = new ResponseHeaders([])
  for (let i = 0; i < raw.length; i += 2) {
    const name = util.headerNameToString(raw[i])
    const value = raw[i + 1].toString('latin1')
    const before = headers.map.get(name)
    headers.map.set(name, before === undefined ? value : `${before}, ${value}`)
  }
  return headers
}

/**
 * A fetch-shaped function over the Agent, for Octokit's `request.fetch`. WHATWG fetch builds
 * Request, Headers and web-stream objects for every call: in the benchmark that was the largest
 * single cost of a get_issue (~14 % of the gateway's CPU). Redirects are followed as fetch
 * follows them (GitHub answers 301 for a renamed repository), credentials never leave their
 * origin, and aborts reject with the signal's AbortError.
 */
export function pooledFetch (agent: Agent): FetchLike {
  return async (url, init = {}) => {
    let target = new URL(url)
    let method = init.method ?? 'GET'
    let body = init.body
    let headers = init.headers
    for (let hops = 0; ; hops++) {
      const answer = await dispatchOnce(agent, target, method, headers, body, init.signal)
      const response = headersOf(answer.raw)
      const location = response.get('location')
      if (!REDIRECTS.has(answer.status) || location === null || hops === MAX_REDIRECTS) {
        return new PooledResponse(answer.status, target.href, response, new MemoryBody(answer.body))
      }
      const next = new URL(location, target)
      if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
        method = 'GET'
        body = undefined
        headers = headers && Object.fromEntries(Object.entries(headers).filter(([k]) => !k.toLowerCase().startsWith('content-')))
      }
      if (next.origin !== target.origin && headers) {
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIALS.has(k.toLowerCase())))
      }
      target = next
    }
  }
}

/** Whether an error (or one it wraps, as Octokit and fetch do) is an upstream timeout. */
export function isUpstreamTimeout (error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (TIMEOUT_CODES.has((e as { code?: string }).code ?? '')) return true
  }
  return false
}
