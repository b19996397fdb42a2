// Resource-server mode: access tokens are JWTs from an existing identity provider (Keycloak,
// Auth0, Okta, Entra ID, …). Its public keys come from the jwks_uri of its discovery document;
// jose checks the signature (asymmetric algorithms only), issuer, audience, expiry and not-before.
// The caller's scopes decide which tools exist for them; GitHub calls use the service credential.
import { createHash } from 'node:crypto'
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { SCOPES, userAccess, type Scope } from '../auth/access.js'
import type { ApiKey } from '../auth/keys.js'
import type { IssuerMode } from './settings.js'

/** A token checked: who it stands for, or why it is not accepted (for logs; never the token). */
export type Verified = { caller: ApiKey } | { caller: null, reason: string }

// An issuer's JWKS holds public keys: HMAC (a shared secret) and 'none' must never verify.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
// jose's codes for a token that is not acceptable (as opposed to an issuer that cannot be reached).
const INVALID = new Set([
  'ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'ERR_JWS_INVALID',
  'ERR_JWT_INVALID', 'ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JOSE_NOT_SUPPORTED', 'ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
])
// Small: tolerates clocks a little apart, never a token long expired.
const CLOCK_TOLERANCE_S = 5
const FETCH_TIMEOUT_MS = 5000
// After a failed discovery, requests in this window fail at once instead of asking again each.
const RETRY_AFTER_MS = 5000

/**
 * Where the discovery document may be, in the order the MCP authorization spec tries them:
 * RFC 8414 (path inserted after /.well-known/), then OpenID Connect Discovery (inserted, then appended).
 */
export function discoveryUrls (issuer: string): string[] {
  const url = new URL(issuer)
  const path = url.pathname.replace(/\/+$/, '')
  const at = (p: string) => new URL(p, url.origin).toString()
  if (path === '') return [at('/.well-known/oauth-authorization-server'), at('/.well-known/openid-configuration')]
  return [at(`/.well-known/oauth-authorization-server${path}`), at(`/.well-known/openid-configuration${path}`), at(`${path}/.well-known/openid-configuration`)]
}

/** The jwks_uri of the issuer's discovery document, whose `issuer` must be the configured one exactly. */
export async function discoverJwksUri (issuer: string, signal?: AbortSignal): Promise<string> {
  const tried: string[] = []
  for (const url of discoveryUrls(issuer)) {
    let doc: { issuer?: unknown, jwks_uri?: unknown }
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.any([AbortSignal.timeout(FETCH_TIMEOUT_MS), ...(signal ? [signal] : [])]) })
      if (!res.ok) { tried.push(`${url}: ${res.status}`); continue }
      doc = await res.json() as typeof doc
    } catch (err) {
      tried.push(`${url}: ${(err as Error).message}`)
      if (signal?.aborted === true) break
      continue
    }
    // RFC 8414 §3.3, OpenID Connect Discovery §4.3: a document for another issuer is not this one's.
    if (doc.issuer !== issuer) throw new Error(`${url} names issuer ${JSON.stringify(doc.issuer)}, not OAUTH_ISSUER ${JSON.stringify(issuer)} (set OAUTH_ISSUER exactly as the tokens' iss)`)
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`)
    return doc.jwks_uri
  }
  throw new Error(`no discovery document for ${issuer} (${tried.join('; ')})`)
}

/** Scopes from the space-separated `scope` claim (RFC 9068, Keycloak, Auth0) or `scp` (Okta: an array; Entra ID: a string). */
export function tokenScopes (payload: JWTPayload): Scope[] {
  const words = new Set<string>()
  for (const claim of [payload.scope, payload.scp]) {
    if (typeof claim === 'string') for (const w of claim.split(' ')) words.add(w)
    else if (Array.isArray(claim)) for (const w of claim) if (typeof w === 'string') words.add(w)
  }
  return SCOPES.filter((s) => words.has(s))
}

/** Access tokens of one issuer for one audience, checked against the issuer's published keys. */
export class IssuerTokens {
  #keys: Promise<JWTVerifyGetKey> | undefined
  #failedAt = 0
  readonly #closing = new AbortController()

  constructor (private readonly mode: IssuerMode) {}

  /** Finds the issuer's keys once (again after a failure, at most every few seconds). */
  keys (): Promise<JWTVerifyGetKey> {
    if (this.#keys !== undefined) return this.#keys
    if (Date.now() - this.#failedAt < RETRY_AFTER_MS) return Promise.reject(new Error(`discovery of ${this.mode.issuer} failed moments ago; retrying shortly`))
    const keys = discoverJwksUri(this.mode.issuer, this.#closing.signal)
      .then((uri) => createRemoteJWKSet(new URL(uri), { timeoutDuration: FETCH_TIMEOUT_MS }))
    this.#keys = keys
    keys.catch(() => { this.#keys = undefined; this.#failedAt = Date.now() })
    return keys
  }

  /** Throws only when the issuer cannot be reached (discovery or JWKS): that is a 503, not a bad token. */
  async verify (token: string): Promise<Verified> {
    const keys = await this.keys()
    let payload: JWTPayload
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.mode.issuer,
        audience: this.mode.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }))
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (typeof code === 'string' && INVALID.has(code)) return { caller: null, reason: (err as Error).message }
      throw err
    }
    const sub = String(payload.sub)
    const scopes = tokenScopes(payload)
    // The scopes are part of the caller's id, as the grant is in GitHub mode: a 2025 session keeps
    // the access it was opened with, so after a step-up the wider token must not be served by the
    // narrower session (it gets 404 and opens its own).
    const id = createHash('sha256').update(`${this.mode.issuer}\n${sub}\n${scopes.join(' ')}`).digest('hex').slice(0, 16)
    return { caller: { name: `oidc:${sub}`, id: `oidc-${id}`, access: userAccess(scopes, null) } }
  }

  /** Stops a discovery in flight (the app is closing). */
  close (): void {
    this.#closing.abort()
  }
}
