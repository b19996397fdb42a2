// GitHub's OAuth web flow, as an OAuth App sees it (docs.github.com, "Authorizing OAuth apps"):
// GET /login/oauth/authorize shows a page to pick a sandbox user (no password: it is a sandbox),
// picking one redirects to the app's redirect_uri with ?code&state; POST
// /login/oauth/access_token trades the code for a user token, answering 200 with an `error`
// field when something is wrong, as GitHub does. API calls made with that token act as that user.
import { randomBytes } from 'node:crypto'
import type { SeedData } from './types.js'

/** The OAuth App the sandbox knows (its id has the shape of a real one). */
export const SANDBOX_OAUTH_APP = { clientId: 'Ov23liSandboxOAuthApp', clientSecret: 'sandbox-oauth-client-secret-0123456789ab' }

const ERROR_URI = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors'
const CODE_TTL_MS = 10 * 60_000 // GitHub: a code expires after 10 minutes

export interface WebAnswer { status: number; headers: Record<string, string>; body: string }

interface PendingCode { login: string; redirectUri: string; expires: number }

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export class OAuthWeb {
  private readonly codes = new Map<string, PendingCode>()
  /** User tokens issued so far, to the login they act as. */
  readonly tokens = new Map<string, string>()

  constructor (private readonly data: SeedData, private readonly app = SANDBOX_OAUTH_APP) {}

  reset (): void {
    this.codes.clear()
    this.tokens.clear()
  }

  handles (path: string): boolean {
    return path === '/login/oauth/authorize' || path === '/login/oauth/access_token'
  }

  answer (method: string, path: string, query: URLSearchParams, rawBody: string, accept: string | undefined): WebAnswer {
    if (path === '/login/oauth/authorize' && method === 'GET') return this.authorize(query)
    if (path === '/login/oauth/access_token' && method === 'POST') return this.accessToken(query, rawBody, accept)
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' }
  }

  private authorize (q: URLSearchParams): WebAnswer {
    const clientId = q.get('client_id')
    const redirectUri = q.get('redirect_uri')
    if (clientId !== this.app.clientId || redirectUri === null) {
      return { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<h1>404: this application does not exist</h1>' }
    }
    const picked = q.get('sandbox_login')
    const users = this.data.users.filter((u) => u.type === 'User')
    const user = picked === null ? undefined : users.find((u) => u.login === picked)
    if (user === undefined) {
      const links = users.map((u) => {
        const next = new URLSearchParams(q)
        next.set('sandbox_login', u.login)
        return `<li><a class="sandbox-user" data-login="${escape(u.login)}" href="/login/oauth/authorize?${escape(next.toString())}">${escape(u.login)}</a></li>`
      }).join('\n')
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: `<!doctype html><title>Sign in to the GitHub sandbox</title><h1>Sign in to the GitHub sandbox</h1>
<p>Pick the sandbox user to authorize this application as (scopes: ${escape(q.get('scope') ?? '')}).</p><ul>${links}</ul>`,
      }
    }
    const code = randomBytes(10).toString('hex') // GitHub's codes are 20 hex characters
    this.codes.set(code, { login: user.login, redirectUri, expires: Date.now() + CODE_TTL_MS })
    const to = new URL(redirectUri)
    to.searchParams.set('code', code)
    const state = q.get('state')
    if (state !== null) to.searchParams.set('state', state)
    return { status: 302, headers: { location: to.toString(), 'content-type': 'text/html; charset=utf-8' }, body: '' }
  }

  private accessToken (q: URLSearchParams, rawBody: string, accept: string | undefined): WebAnswer {
    const params = new URLSearchParams(q)
    let body: Record<string, unknown> = {}
    try {
      body = rawBody.trim().startsWith('{') ? JSON.parse(rawBody) as Record<string, unknown> : Object.fromEntries(new URLSearchParams(rawBody))
    } catch { /* GitHub answers a malformed body as missing parameters */ }
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') params.set(k, v)
    const json = (accept ?? '').includes('json')
    const send = (fields: Record<string, string>): WebAnswer => json
      ? { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(fields) }
      : { status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: new URLSearchParams(fields).toString() }
    if (params.get('client_id') !== this.app.clientId || params.get('client_secret') !== this.app.clientSecret) {
      return send({ error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.', error_uri: `${ERROR_URI}#incorrect-client-credentials` })
    }
    const code = params.get('code') ?? ''
    const pending = this.codes.get(code)
    this.codes.delete(code) // a code is good for one exchange
    if (pending === undefined || pending.expires < Date.now()) {
      return send({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: `${ERROR_URI}#bad-verification-code` })
    }
    const redirectUri = params.get('redirect_uri')
    if (redirectUri !== null && redirectUri !== pending.redirectUri) {
      return send({ error: 'redirect_uri_mismatch', error_description: 'The redirect_uri MUST match the registered callback URL for this application.', error_uri: `${ERROR_URI}#redirect-uri-mismatch` })
    }
    return send({ access_token: this.mint(pending.login), token_type: 'bearer', scope: 'repo' })
  }

  /** A user token for `login`, as the exchange issues one (tests that skip the browser step). */
  mint (login: string): string {
    const token = `gho_${randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')}`
    this.tokens.set(token, login)
    return token
  }
}
