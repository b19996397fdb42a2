// The upstream HTTP pool: one keep-alive undici Agent per process, so connections are reused
// across sessions and requests. Timeouts are the Agent's own (headers, body, connect), which
// cost nothing per request, unlike a timer signal per call.
import { Agent, fetch as undiciFetch, type RequestInit } from 'undici'

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

export function pooledFetch (agent: Agent) {
  return (url: string, init: RequestInit = {}) => undiciFetch(url, { ...init, dispatcher: agent })
}

/** Whether an error (or one it wraps, as Octokit and fetch do) is an upstream timeout. */
export function isUpstreamTimeout (error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (TIMEOUT_CODES.has((e as { code?: string }).code ?? '')) return true
  }
  return false
}
