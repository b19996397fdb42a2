// Conditional requests, done where the final URL and headers are known: in the fetch layer under
// Octokit. A repeat read sends If-None-Match; GitHub's 304 (which spends no quota) is answered
// with the cached 200, so Octokit never parses an endpoint twice or builds an error for a 304
// (both showed in the benchmark profile when this was an Octokit hook). Every read, retries
// included, goes through here; writes drop what they may have changed, even when they failed,
// since a failed write may still have landed upstream.
import { EtagCache, invalidatedBy } from './etag-cache.js'
import { PooledResponse, ResponseHeaders, type FetchLike } from './pool.js'

/** Path below the API root, lower-cased (GitHub names are case-insensitive), without the query. */
export function apiPath (url: string, baseUrl: string): string {
  const rest = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : new URL(url).pathname
  const q = rest.indexOf('?')
  return (q === -1 ? rest : rest.slice(0, q)).toLowerCase()
}

export function withConditionalRequests (fetch: FetchLike, cache: EtagCache, baseUrl: string): FetchLike {
  return async (url, init = {}) => {
    const path = apiPath(url, baseUrl)
    if ((init.method ?? 'GET') !== 'GET') {
      try {
        return await fetch(url, init)
      } finally {
        cache.invalidate(invalidatedBy(path))
      }
    }
    const key = cache.key(init.headers?.accept ?? '', url)
    const generation = cache.generation
    const cached = cache.get(key)
    const res = await fetch(url, cached ? { ...init, headers: { ...init.headers, 'if-none-match': cached.etag } } : init)
    if (res.status === 304 && cached !== undefined) {
      cache.hits++
      // The 304's own headers (rate limit, date) are newer than the cached ones.
      return new PooledResponse(200, url, ResponseHeaders.layered(res.headers, cached.headers), cached.body)
    }
    if (cached !== undefined) cache.misses++
    const etag = res.headers.get('etag')
    if (res.status !== 200 || etag === null || etag === '') return res
    const body = res.body
    // A write that finished while this read was in flight may have made this copy stale.
    if (cache.generation === generation) cache.set(key, { path, etag, headers: res.headers, body })
    return new PooledResponse(200, url, res.headers, body)
  }
}
