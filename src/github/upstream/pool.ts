// The bottom of the upstream path: one keep-alive undici Agent per process, reached through
// undici's own fetch, so redirects and credential stripping are fetch's and the timeouts are the
// Agent's (headers, body, connect), which cost nothing per request. Every answer is read whole
// into a Snapshot, within a byte bound: the layers above share, cache and replay snapshots, and
// Octokit reads every body whole anyway.
import { Agent, fetch, type Headers } from 'undici'

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

/** One GitHub answer, read whole. Shared by every caller of a flight and every 304 replay. */
export interface Snapshot {
  status: number
  headers: Headers
  body: Uint8Array | null
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

async function readWhole (body: ReadableStream<Uint8Array> | null, declared: number, maxBytes: number): Promise<Uint8Array | null> {
  if (body === null) return null
  // A declared length past the bound is refused before a byte of the body is read.
  if (declared > maxBytes) {
    await body.cancel()
    throw new UpstreamTooLargeError(maxBytes)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) { // leaving the loop early cancels the stream
    size += chunk.byteLength
    if (size > maxBytes) throw new UpstreamTooLargeError(maxBytes)
    chunks.push(chunk)
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
}

/** fetch on the shared Agent, each answer read whole and bounded by `maxBodyBytes`. */
export function agentFetch (agent: Agent, maxBodyBytes: number): SnapshotFetch {
  return async (url, init) => {
    const res = await fetch(url, { ...init, dispatcher: agent })
    const body = await readWhole(res.body, Number(res.headers.get('content-length') ?? 0), maxBodyBytes)
    return { status: res.status, headers: res.headers, body }
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
