// Conditional requests, done where the final URL and headers are known: in the fetch layer under
// Octokit. A repeat read sends If-None-Match; GitHub's 304 (which spends no quota) is answered
// with the cached 200, so Octokit never builds an error for a 304. Every read, retries included,
// goes through here; writes mark what they may have changed for revalidation, even when they
// failed, since a failed write may still have landed upstream, and an issue's edit updates the
// cached answers from GitHub's answer where it can (patch-rules.ts). While webhooks keep a
// repository fresh (freshness.ts), a cached answer about it is served without asking GitHub at all.
import { STALE, type EtagCache, type Entry } from './etag-cache.js'
import type { Freshness } from './freshness.js'
import { writeChange } from './issue-change.js'
import { applyChange } from './patch-rules.js'
import { RecordHeaders, type Snapshot, type SnapshotFetch } from './pool.js'

/** Path below the API root, lower-cased (GitHub names are case-insensitive), without the query. */
export function apiPath (url: string, baseUrl: string): string {
  const rest = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : new URL(url).pathname
  const q = rest.indexOf('?')
  return (q === -1 ? rest : rest.slice(0, q)).toLowerCase()
}

/** The cached 200 under the 304's own headers (rate limit, date), which are newer. */
function replay (cached: Snapshot, fresh: Snapshot): Snapshot {
  const headers: Record<string, string> = {}
  for (const [name, value] of cached.headers) headers[name] = value
  for (const [name, value] of fresh.headers) headers[name] = value
  return { status: 200, headers: new RecordHeaders(headers), body: cached.body }
}

// Without webhooks nothing is fresh without asking; the clock only stamps entries.
const NEVER_FRESH: Freshness = { now: Date.now, fresh: () => false }

export function withConditionalRequests (fetch: SnapshotFetch, cache: EtagCache, baseUrl: string, freshness: Freshness = NEVER_FRESH): SnapshotFetch {
  return async (url, init) => {
    const path = apiPath(url, baseUrl)
    const method = init.method ?? 'GET'
    if (method !== 'GET') {
      let answer: Snapshot | undefined
      try {
        answer = await fetch(url, init)
        return answer
      } finally {
        applyChange(cache, writeChange(method, path, init.body, answer), freshness.now())
      }
    }
    const accept = init.headers?.accept ?? ''
    const key = cache.key(init.headers?.authorization ?? '', accept, url)
    const generation = cache.generation
    const cached = cache.get(key)
    if (cached !== undefined && freshness.fresh(path, cached.checkedAt)) {
      cache.fresh++
      return cached.answer
    }
    const asked = freshness.now()
    const res = await fetch(url, cached ? { ...init, headers: { ...init.headers, 'if-none-match': cached.etag } } : init)
    if (res.status === 304 && cached !== undefined) {
      cache.hits++
      // Confirmed as of `asked`, unless a change to it was announced since: then it stays as that left it.
      if (!cache.changedSince(path, generation)) cached.checkedAt = asked
      return replay(cached.answer, res)
    }
    if (cached !== undefined) cache.misses++
    const etag = res.headers.get('etag')
    if (res.status === 200 && etag !== null && etag !== '') {
      const entry: Entry = { path, url, accept, etag, answer: res, checkedAt: asked }
      // A change announced while this read was in flight (a write, a delivery) may postdate
      // GitHub's answer: it is applied to the answer, or the answer is stored to be revalidated,
      // unless a change made the cached answer whole again since this read began (a delivery's issue).
      const caught = cache.catchUp(entry, generation)
      const held = caught === 'stale' ? cache.get(key) : undefined
      if (caught !== 'stale') cache.set(key, caught)
      else if (held === undefined || held.checkedAt < asked) cache.set(key, { ...entry, checkedAt: STALE })
    }
    return res
  }
}
