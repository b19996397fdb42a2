// Identical searches share one search-budget slot. GitHub allows 30 searches a minute per token,
// and agents that poll the same query (a triage bot's "is:open label:bug") would otherwise queue
// one slot each, so everyone waits behind copies of the same question. A search that finds an
// identical one (same credential, URL and Accept) waiting for the budget or in flight joins it
// instead: the answer it gets was asked for after it arrived or while it was in flight, as with
// single-flight reads (coalesce.ts), which work below the budgets and cannot see the queue.
// A write, or a webhook saying issues changed, stops later searches from joining earlier ones.
import type { Octokit } from '@octokit/rest'
import type { EndpointDefaults, OctokitResponse, RequestParameters } from '@octokit/types'
import { Credential } from '../../auth/credential.js'
import { abortError } from './coalesce.js'

interface Search {
  done: Promise<OctokitResponse<unknown>>
  /** Callers still waiting; when the last one leaves, the search is cancelled. */
  waiting: number
  controller: AbortController
}

export interface SharedSearchStats { searchesShared: number }

type Options = Required<EndpointDefaults> & { request?: RequestParameters['request'] & { signal?: AbortSignal, credential?: unknown } }

/** Who asks: the caller's own credential (by its id, a digest: never the secret), or the service's. */
const whose = (credential: unknown): string => credential instanceof Credential ? `user:${credential.id}` : 'service'

/** Installs the sharing on `api` (outermost, so a shared search is one trip through the budgets). */
export function shareSearches (api: Octokit, stats: SharedSearchStats): { forget (): void } {
  const searches = new Map<string, Search>()
  const forget = () => { searches.clear() }

  api.hook.wrap('request', async (request, options: Options) => {
    if (options.method !== 'GET' || !String(options.url).startsWith('/search/')) {
      if (options.method === 'GET' || options.method === 'HEAD') return await request(options)
      try {
        return await request(options)
      } finally {
        forget() // whatever the write changed, a search asked after it must not join one asked before
      }
    }
    const signal = options.request?.signal
    if (signal?.aborted === true) throw abortError(signal)
    const { url, headers } = api.request.endpoint(options)
    const key = `${whose(options.request?.credential)} ${headers.accept ?? ''} ${url}`
    let search = searches.get(key)
    if (search === undefined) {
      // The shared search carries its own signal: one caller leaving must not fail the others.
      const controller = new AbortController()
      const done = request({ ...options, request: { ...options.request, signal: controller.signal } }) as Promise<OctokitResponse<unknown>>
      const started: Search = { done, waiting: 0, controller }
      searches.set(key, started)
      const land = () => { if (searches.get(key) === started) searches.delete(key) }
      done.then(land, land)
      search = started
    } else {
      stats.searchesShared++
    }
    const joined = search
    joined.waiting++
    if (signal === undefined) return await joined.done.finally(() => { joined.waiting-- })
    return await new Promise((resolve, reject) => {
      let left = false
      const onAbort = () => {
        left = true
        if (--joined.waiting === 0) {
          if (searches.get(key) === joined) searches.delete(key)
          joined.controller.abort() // nobody needs the answer any more
        }
        reject(abortError(signal))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const after = () => { signal.removeEventListener('abort', onAbort); if (!left) joined.waiting-- }
      joined.done.then((value) => { after(); resolve(value) }, (error: unknown) => { after(); reject(error) })
    })
  })
  return { forget }
}
