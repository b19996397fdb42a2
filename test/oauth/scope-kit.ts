// Step-up test kit: sign-ins for chosen scopes, done by hand as a client would (registration, PKCE,
// consent, sandbox GitHub login, code exchange), and an SDK OAuth provider already holding one.
import { createHash, randomBytes } from 'node:crypto'
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { Browser, CLIENT_REDIRECT, MemoryOAuthProvider, type OAuthGateway } from './helpers.js'

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** The challenge a token with issues:read alone gets for calling `tool`, a write tool. */
export const writeChallenge = (gw: OAuthGateway, tool: string) =>
  `Bearer error="insufficient_scope", scope="issues:read issues:write", resource_metadata="${gw.url}/.well-known/oauth-protected-resource/mcp", ` +
  `error_description="${tool} needs the issues:write scope, which this access token was not granted"`

/** The issues of octo-org/widgets with this title, as the sandbox holds them. */
export const issuesTitled = (gw: OAuthGateway, title: string) =>
  gw.github.state.repos.find((r) => r.name === 'widgets')?.issues.filter((i) => i.title === title) ?? []

/** A sign-in of `login` that asks for `scope` only; throws unless exactly that was granted. */
export async function tokensFor (gw: OAuthGateway, login: string, scope: string): Promise<{ clientId: string, tokens: OAuthTokens }> {
  const registered = await fetch(`${gw.url}/oauth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Step-up', redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }),
  })
  const clientId = ((await registered.json()) as { client_id: string }).client_id
  const verifier = randomBytes(32).toString('base64url')
  const back = await new Browser().authorize(`${gw.url}/oauth/authorize?${new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: CLIENT_REDIRECT, scope, state: 's', resource: `${gw.url}/mcp`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  })}`, login)
  const exchanged = await fetch(`${gw.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', code_verifier: verifier, client_id: clientId, redirect_uri: CLIENT_REDIRECT }),
  })
  const tokens = await exchanged.json() as OAuthTokens
  if (tokens.scope !== scope) throw new Error(`asked for ${scope}, granted ${String(tokens.scope)}`)
  return { clientId, tokens }
}

/** An SDK OAuth provider already holding a read-only sign-in of `login` (with a refresh token). */
export async function readOnlyProvider (gw: OAuthGateway, login: string): Promise<MemoryOAuthProvider> {
  const { clientId, tokens } = await tokensFor(gw, login, 'issues:read')
  const provider = new MemoryOAuthProvider()
  // Stamped with their issuer, as the SDK stores what it obtained itself (SEP-2352).
  provider.client = { client_id: clientId, issuer: gw.url }
  provider.saved = Object.assign(tokens, { issuer: gw.url })
  return provider
}
