// Direct reads: a GET of a path the caller already built goes straight through the fetch stack
// (single-flight, ETag cache, upstream stats, pool), skipping Octokit's per-call work: two
// endpoint merges/parses (one by the request-log plugin), five hook layers and the response
// copy. Measured against the stand-in that work cost about as much CPU as the upstream request
// itself (~480 vs ~260 µs a call). Only a plain success takes the short way: any other answer,
// or a failure to get one, is handed to Octokit as if Octokit had asked, so rate limits, retries
// and errors behave exactly as for every other request.
import type { Octokit } from '@octokit/core'
import type { Logger } from '../../mcp/session-context.js'
import { isJsonType, type FetchInit, type FetchLike, type PooledResponse } from './pool.js'

/** The parsed body of a GET of `path` (below the API root); shared and frozen when it is JSON. */
export type DirectRead = <T>(path: string, signal?: AbortSignal) => Promise<T>

/** GitHub's own spelling of the header @octokit/auth-token sends for this token. */
export function authorization (token: string): string {
  return token.split(/\./).length === 3 ? `bearer ${token}` : `token ${token}`
}

export function directReads (api: Octokit, fetch: FetchLike, opts: { baseUrl: string, token: string, logger: Logger }): DirectRead {
  const defaults = api.request.endpoint.DEFAULTS.headers as Record<string, string>
  const headers: Record<string, string> = {
    accept: defaults.accept,
    'user-agent': defaults['user-agent'],
    authorization: authorization(opts.token),
  }
  const log = opts.logger

  return async <T>(path: string, signal?: AbortSignal): Promise<T> => {
    // Searches wait in their own spacing lane, which only Octokit's throttling plugin books.
    if (path.startsWith('/search/')) return viaOctokit<T>(api, fetch, path, signal, undefined)
    const url = opts.baseUrl + path
    const init: FetchInit = { method: 'GET', headers, signal }
    let first: Promise<PooledResponse>
    const start = Date.now()
    try {
      const res = await fetch(url, init)
      if (res.status >= 200 && res.status < 300 && res.status !== 204 && res.status !== 205) {
        // The parsed body is shared and frozen (see MemoryBody): callers derive, never change it.
        const body = res.body
        const data = isJsonType(res.headers.get('content-type')) && body.content !== '' ? body.value() : body.content
        const h = res.headers
        if (h.get('deprecation') !== null) {
          log.warn({ route: path, sunset: h.get('sunset') ?? undefined }, 'GitHub marks this endpoint as deprecated')
        }
        log.debug({}, `GET ${path} - ${res.status} with id ${h.get('x-github-request-id')} in ${Date.now() - start}ms`)
        return data as T
      }
      first = Promise.resolve(res)
    } catch (error) {
      first = Promise.reject(error)
    }
    first.catch(() => {}) // observed below, by Octokit
    return viaOctokit<T>(api, fetch, path, signal, first)
  }
}

/**
 * The request through Octokit. With `answered`, its first attempt is that answer (already
 * received, so GitHub is not asked twice); a retry asks again through the real fetch.
 */
async function viaOctokit<T> (
  api: Octokit, real: FetchLike, path: string, signal: AbortSignal | undefined, answered: Promise<PooledResponse> | undefined,
): Promise<T> {
  let pending = answered
  const fetch: FetchLike = (url, init) => {
    if (pending === undefined) return real(url, init)
    const p = pending
    pending = undefined
    return p
  }
  const res = await api.request(`GET ${path}`, { request: { signal, ...(answered ? { fetch } : {}) } })
  return res.data as T
}
