// The login step of the authorization server: a consent page naming the MCP client (a proxy with
// one static GitHub client id must ask before sending anyone to GitHub: the confused-deputy rule),
// then GitHub's OAuth web flow, then back to oidc-provider with the GitHub user as the account and
// a grant for the scopes asked. The GitHub token is sealed under the grant and never leaves.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from '@octokit/oauth-methods'
import { request as octokitRequest } from '@octokit/request'
import type Provider from 'oidc-provider'
import type { InteractionResults } from 'oidc-provider'
import { SCOPES, type Scope } from '../auth/access.js'
import { Credential } from '../auth/credential.js'
import { consentPage, errorPage } from './pages.js'
import { INTERACTION_PATH } from './provider.js'
import type { SealedTokens } from './sealed-tokens.js'
import type { GitHubLoginMode } from './settings.js'

export const GITHUB_CALLBACK_PATH = '/oauth/github/callback'
/** What the gateway asks GitHub for: issues on private repositories need `repo`. */
const GITHUB_SCOPES = ['repo']

export interface InteractionDeps {
  mode: GitHubLoginMode
  provider: Provider
  tokens: SealedTokens
  stateKey: Buffer
  /** Who a GitHub token belongs to (through the gateway's one GitHub client). */
  viewer (credential: Credential, signal: AbortSignal): Promise<{ id: number, login: string }>
  refreshTtlS: number
}

/** The scopes granted: those asked for that this gateway knows; none asked means both. */
export function grantedScopes (asked: unknown): Scope[] {
  const words = typeof asked === 'string' ? asked.split(' ') : []
  const known = SCOPES.filter((s) => words.includes(s))
  return known.length > 0 ? known : [...SCOPES]
}

export async function interactionRoutes (app: FastifyInstance, deps: InteractionDeps) {
  const { mode, provider, tokens } = deps
  const webRequest = octokitRequest.defaults({ baseUrl: mode.githubWebUrl })
  const callbackUrl = `${mode.publicUrl}${GITHUB_CALLBACK_PATH}`
  const sign = (uid: string) => createHmac('sha256', deps.stateKey).update(uid).digest('base64url')
  const stateFor = (uid: string) => `${uid}.${sign(uid)}`
  const uidOf = (state: string): string | null => {
    const [uid, mac] = state.split('.')
    if (uid === undefined || mac === undefined) return null
    const want = Buffer.from(sign(uid))
    const got = Buffer.from(mac)
    return want.length === got.length && timingSafeEqual(want, got) ? uid : null
  }
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' " + new URL(mode.githubWebUrl).origin)
      .header('x-frame-options', 'DENY').send(body)

  /** The interaction this browser is in (its cookie), or null with an error page sent. */
  const details = async (request: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply) => {
    try {
      const d = await provider.interactionDetails(request.raw, reply.raw)
      if (d.uid === request.params.uid) return d
    } catch { /* expired or another browser's */ }
    html(reply, 400, errorPage('invalid_request', 'This sign-in has expired or belongs to another browser. Start again from your MCP client.'))
    return null
  }

  app.get<{ Params: { uid: string } }>(`${INTERACTION_PATH}/:uid`, async (request, reply) => {
    const d = await details(request, reply)
    if (d === null) return reply
    const clientId = String(d.params.client_id)
    const client = await provider.Client.find(clientId)
    return html(reply, 200, consentPage({
      uid: d.uid,
      clientId,
      clientName: client?.clientName,
      redirectUri: String(d.params.redirect_uri),
      scopes: grantedScopes(d.params.scope),
      // Registration here issues random ids, never URLs: an https client_id is a metadata document's.
      documentHost: clientId.startsWith('https://') ? new URL(clientId).host : undefined,
    }))
  })

  // Forms post urlencoded bodies whose content the routes do not need.
  app.addContentTypeParser('application/x-www-form-urlencoded', (_request, _payload, done) => done(null, undefined))

  app.post<{ Params: { uid: string } }>(`${INTERACTION_PATH}/:uid/deny`, async (request, reply) => {
    const d = await details(request, reply)
    if (d === null) return reply
    reply.hijack()
    await provider.interactionFinished(request.raw, reply.raw, { error: 'access_denied', error_description: 'The user cancelled the sign-in' }, { mergeWithLastSubmission: false })
  })

  app.post<{ Params: { uid: string } }>(`${INTERACTION_PATH}/:uid/github`, async (request, reply) => {
    const d = await details(request, reply)
    if (d === null) return reply
    const { url } = getWebFlowAuthorizationUrl({
      clientType: 'oauth-app', clientId: mode.clientId, redirectUrl: callbackUrl, scopes: GITHUB_SCOPES,
      state: stateFor(d.uid), allowSignup: false, request: webRequest,
    })
    return reply.code(303).header('location', url).send()
  })

  app.get<{ Querystring: { code?: string, state?: string, error?: string } }>(GITHUB_CALLBACK_PATH, async (request, reply) => {
    const uid = uidOf(request.query.state ?? '')
    const interaction = uid === null ? undefined : await provider.Interaction.find(uid)
    if (interaction === undefined) {
      return html(reply, 400, errorPage('invalid_request', 'This sign-in has expired or was not started here. Start again from your MCP client.'))
    }
    const finish = async (result: InteractionResults) => {
      interaction.result = result
      await interaction.save(Math.max(1, interaction.exp - Math.floor(Date.now() / 1000)))
      return reply.code(303).header('location', interaction.returnTo).send()
    }
    if (request.query.error !== undefined || request.query.code === undefined) {
      return await finish({ error: 'access_denied', error_description: 'GitHub sign-in was declined' })
    }
    let token: string
    try {
      const { authentication } = await exchangeWebFlowCode({
        clientType: 'oauth-app', clientId: mode.clientId, clientSecret: mode.clientSecret,
        code: request.query.code, redirectUrl: callbackUrl, request: webRequest,
      })
      token = authentication.token
    } catch (error) {
      // Never the error itself: its request carries the client secret and the code.
      request.log.warn({ reason: (error as { status?: number }).status ?? 'unreachable' }, 'oauth: GitHub code exchange failed')
      return html(reply, 502, errorPage('server_error', 'GitHub did not accept the sign-in. Start again from your MCP client.'))
    }
    const credential = new Credential(token)
    const user = await deps.viewer(credential, AbortSignal.timeout(15_000))
    const accountId = `github:${user.id}`
    const params = interaction.params
    const grant = new provider.Grant({ accountId, clientId: String(params.client_id) })
    const asked = typeof params.scope === 'string' ? params.scope.split(' ') : []
    if (asked.includes('openid')) grant.addOIDCScope('openid')
    if (asked.includes('offline_access')) grant.addOIDCScope('offline_access')
    const granted = grantedScopes(params.scope).join(' ')
    grant.addResourceScope(mode.resource, granted)
    // The scopes are advertised in the server's metadata too, so a request names them as its own
    // scopes as well: the grant must cover them there, or the consent prompt would come back.
    grant.addOIDCScope(granted)
    const grantId = await grant.save()
    await tokens.put(grantId, { token, login: user.login }, deps.refreshTtlS)
    request.log.info({ user: user.login, client: String(params.client_id) }, 'oauth: signed in with GitHub')
    return await finish({ login: { accountId }, consent: { grantId } })
  })
}
