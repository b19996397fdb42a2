// The Octokit hook that puts the ETag cache to work. It wraps the whole request chain (retry and
// throttling included), so one logical read costs at most one cache lookup however often it is
// retried, and a 304 never reaches the retry plugin as a failure.
import type { OctokitResponse } from '@octokit/types'
import type { Octokit } from '@octokit/core'
import { EtagCache, invalidatedBy } from './etag-cache.js'

function statusOf (error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : undefined
}

/** Path below the API root, lower-cased (GitHub names are case-insensitive), without the query. */
function apiPath (url: string, baseUrl: string): string {
  const rest = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : new URL(url).pathname
  const q = rest.indexOf('?')
  return (q === -1 ? rest : rest.slice(0, q)).toLowerCase()
}

export function installConditionalRequests (octokit: Octokit, cache: EtagCache, baseUrl: string): void {
  octokit.hook.wrap('request', async (request, options) => {
    const { url, headers } = octokit.request.endpoint.parse(options)
    const path = apiPath(url, baseUrl)
    if (options.method !== 'GET') {
      try {
        return await request(options)
      } finally { // even a failed write may have landed upstream
        cache.invalidate(invalidatedBy(path))
      }
    }
    const key = cache.key(String(headers.accept ?? ''), url)
    const cached = cache.get(key)
    if (cached !== undefined) options.headers['if-none-match'] = cached.etag
    try {
      const response: OctokitResponse<unknown> = await request(options)
      const etag = response.headers.etag
      if (cached !== undefined) cache.misses++
      if (typeof etag === 'string' && etag !== '') cache.set(key, { path, etag, response })
      return response
    } catch (error) {
      if (cached === undefined || statusOf(error) !== 304) throw error
      cache.hits++
      return { ...cached.response, status: 200 }
    }
  })
}
