// Identical searches share one search-budget slot. GitHub allows 30 searches a minute per token,
// and agents that poll the same query (a triage bot's "is:open label:bug") would otherwise queue
// one slot each, so everyone waits behind copies of the same question. A search that finds an
// identical one (same credential, URL and Accept) waiting for the budget or in flight joins it
// instead: the answer it gets was asked for after it arrived or while it was in flight, as with
// single-flight reads (coalesce.ts), which work below the budgets and cannot see the queue.
// A write, or a webhook saying issues changed, stops later searches from joining one already
// sent; one still waiting for the budget goes out after the change, so joining it stays right.
import type { Octokit } from '@octokit/rest'
import type { EndpointDefaults, OctokitResponse, RequestParameters } from '@octokit/types'
import { Credential } from '../../auth/credential.js'
import { abortError } from './coalesce.js'

interface Search {
  done: Promise<Answer>
  /** Past the budgets and on its way to GitHub (its answer may predate a later change). */
  sent: boolean
  /** Callers still waiting; when the last one leaves, the search is cancelled. */
  waiting: number
  controller: AbortController
}

export interface SharedSearchStats { searchesShared: number }

type Fetch = (url: string, init: unknown) => Promise<unknown>
type Answer = OctokitResponse<unknown>
/** The rest of Octokit's hooks, down to the fetch. */
type Send = (options: Options) => Answer | Promise<Answer>
type Options = Required<EndpointDefaults> & { request?: RequestParameters['request'] & { signal?: AbortSignal, credential?: unknown, fetch?: Fetch } }

/** Who asks: the caller's own credential (by its id, a digest: never the secret), or the service's. */
const whose = (credential: unknown): string => credential instanceof Credential ? `user:${credential.id}` : 'service'

/** Installs the sharing on `api` (outermost, so a shared search is one trip through the budgets). */
export function shareSearches (api: Octokit, stats: SharedSearchStats): { forget (): void } {
  const searches = new Map<string, Search>()
  const forget = () => { for (const [key, search] of searches) if (search.sent) searches.delete(key) }

  const afterWrite = async (written: Answer | Promise<Answer>): Promise<Answer> => {
    try {
      return await written
    } finally {
      forget() // a search asked after the write must not join one sent before it
    }
  }

  const shared = async (request: Send, options: Options): Promise<Answer> => {
    const signal = options.request?.signal
    if (signal?.aborted === true) throw abortError(signal)
    const { url, headers } = api.request.endpoint(options)
    const key = `${whose(options.request?.credential)} ${headers.accept ?? ''} ${url}`
    let search = searches.get(key)
    if (search === undefined) {
      // The shared search carries its own signal: one caller leaving must not fail the others.
      const controller = new AbortController()
      const send = options.request?.fetch
      if (send === undefined) throw new Error('shareSearches: the client has no request.fetch')
      let sent = false
      // The fetch runs once the budgets let the search go: from then on, it is sent.
      const fetch: Fetch = (url, init) => { sent = true; return send(url, init) }
      // In place: the hooks inside were bound to this very options object (before-after-hook).
      options.request = { ...options.request, signal: controller.signal, fetch }
      const done = Promise.resolve(request(options))
      const started: Search = { done, get sent () { return sent }, waiting: 0, controller }
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
  }

  // Every other read passes straight through, without a frame of its own: this is on every request.
  api.hook.wrap('request', (request: Send, options: Options) => {
    if (options.method === 'GET' && String(options.url).startsWith('/search/')) return shared(request, options)
    return options.method === 'GET' || options.method === 'HEAD' ? request(options) : afterWrite(request(options))
  })
  return { forget }
}
