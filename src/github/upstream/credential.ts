// Whose GitHub credential a request carries, decided per request in Octokit's auth hook: the
// caller's own (an OAuth user's token, on their Access) or the service token. One Octokit per
// process stays the only path to GitHub; a call names its caller through Octokit's per-request
// `request` options, which every layer below (throttling, retries, the fetch stack) passes on.
// The fetch stack keys its caches and single-flight by the Authorization header that actually
// goes out, so one user's answers are never served to another.
import type { EndpointDefaults, RequestInterface, Route, RequestParameters } from '@octokit/types'
import { Credential } from '../../auth/credential.js'
import { githubAppAuth, type GitHubAppCredential } from './app-auth.js'
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

/** What Octokit hands an auth strategy: our `auth` option merged with its own request and log. */
interface StrategyOptions {
  token?: string
  app?: GitHubAppCredential
  request: RequestInterface
  log: { warn (m: string): void }
}

/**
 * Octokit `authStrategy`: the caller's credential when the call carries one, else the service
 * credential: the token, or the GitHub App (its installation token for the owner a request touches).
 */
export function perCallAuth ({ token, app, request: octokitRequest, log }: StrategyOptions) {
  const appAuth = app === undefined ? undefined : githubAppAuth({ ...app, request: octokitRequest, log })
  const service = `token ${token}`
  // A function of its own: the App's carries the App's hook, which this strategy's must not replace.
  const auth = appAuth !== undefined ? (o?: { type?: string }) => appAuth(o) : async () => ({ type: 'token', tokenType: 'oauth', token })
  const hook = async (request: RequestInterface, route: Route | EndpointDefaults, parameters?: RequestParameters) => {
    const endpoint = request.endpoint.merge(route as string, parameters)
    const credential: unknown = endpoint.request?.credential
    if (!(credential instanceof Credential) && appAuth !== undefined) return await appAuth.hook(request, endpoint)
    endpoint.headers.authorization = credential instanceof Credential ? `token ${credential.reveal()}` : service
    return await request(endpoint as EndpointDefaults & { url: string })
  }
  return Object.assign(auth, { hook })
}
