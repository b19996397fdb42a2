// Whose GitHub credential a request carries, decided per request in Octokit's auth hook: the
// caller's own (an OAuth user's token, on their Access) or the service token. One Octokit per
// process stays the only path to GitHub; a call names its caller through Octokit's per-request
// `request` options, which every layer below (throttling, retries, the fetch stack) passes on.
// The fetch stack keys its caches and single-flight by the Authorization header that actually
// goes out, so one user's answers are never served to another.
import type { EndpointDefaults, RequestInterface, Route, RequestParameters } from '@octokit/types'
import { Credential } from '../../auth/credential.js'
import type { RequestContext } from '../../mcp/catalog-types.js'

/** Octokit's per-request options as the tools pass them: cancellation and the caller's credential. */
export interface Call {
  signal: AbortSignal
  credential?: Credential | null
}

/** The `request` option of a GitHub call made for this caller. */
export function via (ctx: RequestContext): Call {
  return { signal: ctx.signal, credential: ctx.access.credential }
}

/** Octokit `authStrategy`: the caller's credential when the call carries one, else the service token. */
export function perCallAuth ({ token }: { token: string }) {
  const service = `token ${token}`
  const auth = async () => ({ type: 'token', tokenType: 'oauth', token })
  const hook = async (request: RequestInterface, route: Route | EndpointDefaults, parameters?: RequestParameters) => {
    const endpoint = request.endpoint.merge(route as string, parameters)
    const credential: unknown = endpoint.request?.credential
    endpoint.headers.authorization = credential instanceof Credential ? `token ${credential.reveal()}` : service
    return await request(endpoint as EndpointDefaults & { url: string })
  }
  return Object.assign(auth, { hook })
}
