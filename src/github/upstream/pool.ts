// The bottom of the upstream path: one keep-alive undici Agent per process, reached through
// undici's request API composed with undici's own redirect interceptor, so redirects (with
// credentials stripped when the origin changes) are undici's, and the timeouts are the Agent's
// (headers, body, connect), which cost nothing per request. Not undici's WHATWG fetch: its Request, Headers and web streams, built again for
// Octokit's Response above, were the largest share of an upstream request's CPU
// (bench/PROFILE.md). Every answer is read whole into a Snapshot, within a byte bound: the layers
// above share, cache and replay snapshots, and Octokit reads every body whole anyway. Answers
// are asked for uncompressed (no Accept-Encoding): most reads are 304s with no body, and undici's
// decoding interceptor is still experimental.
import { Agent, interceptors, type Dispatcher } from 'undici'

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

export function createAgent (connections: number, timeoutMs: number): Agent {
  return new Agent({
    // Bounded connections double as a cap on concurrent upstream requests (GitHub's secondary
    // limits start at 100 concurrent requests per token).
    connections,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 300_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: Math.min(timeoutMs, 10_000) },
  })
}

/** What the layers read of an answer's headers (undici's Headers fits too). Names are lower case. */
export interface AnswerHeaders extends Iterable<[string, string]> {
  get (name: string): string | null
}

/** An answer's headers as undici's request API gives them: one lower-cased record, read-only. */
export class RecordHeaders implements AnswerHeaders {
  constructor (readonly record: Readonly<Record<string, string>>) {}
  get (name: string): string | null { return this.record[name.toLowerCase()] ?? null }
  * [Symbol.iterator] (): Iterator<[string, string]> { yield * Object.entries(this.record) }

  /** undici's record: values joined as fetch's Headers would join them (set-cookie aside: GitHub sends none). */
  static of (raw: Record<string, string | string[] | undefined>): RecordHeaders {
    const record: Record<string, string> = {}
    for (const name in raw) {
      const value = raw[name]
      if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : value
    }
    return new RecordHeaders(record)
  }
}

/** One GitHub answer, read whole. Shared by every caller of a flight and every 304 replay. */
export interface Snapshot {
  status: number
  headers: AnswerHeaders
  body: Uint8Array | null
}

/** A body as JSON, or undefined when it is none or not whole JSON. */
export function jsonOf (body: Uint8Array | null): unknown {
  if (body === null) return undefined
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
  } catch {
    return undefined
  }
}

export interface UpstreamInit {
  method?: string
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal | null
}

export type SnapshotFetch = (url: string, init: UpstreamInit) => Promise<Snapshot>

/** GitHub answered with more bytes than the gateway holds for one answer; asking again will not help. */
export class UpstreamTooLargeError extends Error {
  constructor (readonly limitBytes: number) {
    super(`GitHub's answer exceeds ${limitBytes} bytes`)
    this.name = 'UpstreamTooLargeError'
  }
}

async function readWhole (body: Dispatcher.ResponseData['body'], declared: number, maxBytes: number): Promise<Uint8Array> {
  // A declared length past the bound is refused before a byte of the body is read.
  if (declared > maxBytes) {
    body.on('error', () => {}) // the abort this causes is the point, not a failure to report
    body.destroy()
    throw new UpstreamTooLargeError(maxBytes)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) { // leaving the loop early destroys the stream
    size += chunk.byteLength
    if (size > maxBytes) throw new UpstreamTooLargeError(maxBytes)
    chunks.push(chunk)
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
}

// As fetch: follow up to 20 redirects.
const MAX_REDIRECTS = 20
// Statuses whose answer has no body, whatever the wire carried.
const NO_BODY = new Set([101, 204, 205, 304])

/** The shared Agent, following redirects; each answer read whole and bounded by `maxBodyBytes`. */
export function agentFetch (agent: Agent, maxBodyBytes: number): SnapshotFetch {
  const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }))
  return async (url, init) => {
    const { origin, pathname, search } = new URL(url)
    const res = await dispatcher.request({
      origin,
      path: pathname + search,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: init.headers,
      body: init.body,
      signal: init.signal ?? undefined,
    })
    const headers = RecordHeaders.of(res.headers)
    if (NO_BODY.has(res.statusCode) || init.method === 'HEAD') {
      res.body.dump().catch(() => {}) // frees the connection; nothing to read
      return { status: res.statusCode, headers, body: null }
    }
    const body = await readWhole(res.body, Number(headers.get('content-length') ?? 0), maxBodyBytes)
    return { status: res.statusCode, headers, body }
  }
}

/** The upstream timeout an error is or wraps (as Octokit and fetch wrap them), if any. */
export function timeoutIn (error: unknown): Error | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (TIMEOUT_CODES.has((e as { code?: string }).code ?? '')) return e
  }
  return undefined
}

export const isUpstreamTimeout = (error: unknown): boolean => timeoutIn(error) !== undefined
