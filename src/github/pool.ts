// The upstream HTTP pool: one keep-alive undici Agent per process, so connections are reused
// across sessions and requests. Timeouts are the Agent's own (headers, body, connect), which
// cost nothing per request, unlike a timer signal per call.
import { Agent, interceptors, type Dispatcher } from 'undici'

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

type RawHeaders = Record<string, string | string[] | undefined>

/** The part of a fetch Headers object Octokit reads: iteration and get(). */
export class ResponseHeaders {
  readonly map = new Map<string, string>()
  constructor (raw: RawHeaders | Iterable<[string, string]>) {
    const entries = Symbol.iterator in raw ? raw : Object.entries(raw)
    for (const [name, value] of entries) {
      if (value !== undefined) this.map.set(name, Array.isArray(value) ? value.join(', ') : value)
    }
  }

  get (name: string): string | null { return this.map.get(name.toLowerCase()) ?? null }
  [Symbol.iterator] () { return this.map.entries() }
}

export interface Body { text (): Promise<string>, json (): Promise<unknown>, arrayBuffer (): Promise<ArrayBuffer> }

/** A body already read into memory (a cached answer replayed for a 304). */
export function textBody (text: string): Body {
  return {
    text: async () => text,
    json: async () => JSON.parse(text),
    arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer
  }
}

/** The part of a fetch Response Octokit reads (status, url, headers, the body as text/JSON/bytes). */
export class PooledResponse {
  readonly statusText = ''
  constructor (readonly status: number, readonly url: string, readonly headers: ResponseHeaders, readonly body: Body) {}
  text () { return this.body.text() }
  json () { return this.body.json() }
  arrayBuffer () { return this.body.arrayBuffer() }
}

export interface FetchInit { method?: string, body?: string, headers?: Record<string, string>, signal?: AbortSignal | null }
export type FetchLike = (url: string, init?: FetchInit) => Promise<PooledResponse>

/**
 * A fetch-shaped function over the Agent's `request()`, for Octokit's `request.fetch`. WHATWG
 * fetch builds Request, Headers and web-stream objects for every call: in the benchmark that was
 * the largest single cost of a get_issue (~14 % of the gateway's CPU). Redirects are followed as
 * fetch would (GitHub answers 301 for a renamed repository); aborts reject with an AbortError.
 */
export function pooledFetch (agent: Agent): FetchLike {
  const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 3 }))
  return async (url, init = {}) => {
    const target = new URL(url)
    const res = await dispatcher.request({
      origin: target.origin,
      path: target.pathname + target.search,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: init.headers,
      body: init.body,
      signal: init.signal ?? undefined
    })
    return new PooledResponse(res.statusCode, url, new ResponseHeaders(res.headers as RawHeaders), res.body)
  }
}

/** Whether an error (or one it wraps, as Octokit and fetch do) is an upstream timeout. */
export function isUpstreamTimeout (error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (TIMEOUT_CODES.has((e as { code?: string }).code ?? '')) return true
  }
  return false
}
