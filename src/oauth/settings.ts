// What OAuth mode the configuration asks for, derived once from the validated config. Rules that
// join several variables live here and stop the start with one line each (the schema checks
// each variable alone).
import type { Config } from '../config.js'

/** The gateway's own authorization server in front of GitHub's login (part 1 of docs/oauth.md). */
export interface GitHubLoginMode {
  kind: 'github'
  /** PUBLIC_URL without a trailing slash: the issuer, and the base of every redirect. */
  publicUrl: string
  /** The protected resource: PUBLIC_URL + /mcp. Tokens are bound to it (RFC 8707). */
  resource: string
  clientId: string
  clientSecret: string
  githubWebUrl: string
  /** 32 bytes; null only outside production (an ephemeral key is made then). */
  encryptionKey: Buffer | null
  accessTokenTtlS: number
}

/** Resource-server mode: JWT access tokens from an existing issuer. */
export interface IssuerMode {
  kind: 'issuer'
  publicUrl: string
  resource: string
  issuer: string
  audience: string
}

export type OAuthMode = GitHubLoginMode | IssuerMode

const trim = (url: string) => url.replace(/\/+$/, '')

/** Problems with the OAuth variables taken together; empty when they are consistent. */
export function oauthProblems (config: Config): string[] {
  const problems: string[] = []
  const id = config.GITHUB_OAUTH_CLIENT_ID !== undefined
  const secret = config.GITHUB_OAUTH_CLIENT_SECRET !== undefined
  if (id && !secret) problems.push('GITHUB_OAUTH_CLIENT_SECRET is required with GITHUB_OAUTH_CLIENT_ID')
  if (secret && !id) problems.push('GITHUB_OAUTH_CLIENT_ID is required with GITHUB_OAUTH_CLIENT_SECRET')
  if (id && config.OAUTH_ISSUER !== undefined) problems.push('OAUTH_ISSUER and GITHUB_OAUTH_CLIENT_ID are two OAuth modes: set one of them')
  const on = id || secret || config.OAUTH_ISSUER !== undefined
  if (on && config.PUBLIC_URL === undefined) problems.push('PUBLIC_URL is required when OAuth is on (GITHUB_OAUTH_CLIENT_ID or OAUTH_ISSUER)')
  if ((id || secret) && config.NODE_ENV === 'production' && config.TOKEN_ENCRYPTION_KEY === undefined) {
    problems.push('TOKEN_ENCRYPTION_KEY is required with GITHUB_OAUTH_CLIENT_ID when NODE_ENV=production')
  }
  if (config.OAUTH_AUDIENCE !== undefined && config.OAUTH_ISSUER === undefined) problems.push('OAUTH_AUDIENCE needs OAUTH_ISSUER')
  return problems
}

/** The mode, or null when OAuth is off. Call after oauthProblems() found nothing. */
export function oauthMode (config: Config): OAuthMode | null {
  if (config.PUBLIC_URL === undefined) return null
  const publicUrl = trim(config.PUBLIC_URL)
  const resource = `${publicUrl}/mcp`
  if (config.OAUTH_ISSUER !== undefined) {
    return { kind: 'issuer', publicUrl, resource, issuer: config.OAUTH_ISSUER, audience: config.OAUTH_AUDIENCE ?? resource }
  }
  if (config.GITHUB_OAUTH_CLIENT_ID === undefined || config.GITHUB_OAUTH_CLIENT_SECRET === undefined) return null
  return {
    kind: 'github',
    publicUrl,
    resource,
    clientId: config.GITHUB_OAUTH_CLIENT_ID,
    clientSecret: config.GITHUB_OAUTH_CLIENT_SECRET,
    githubWebUrl: trim(config.GITHUB_WEB_URL),
    encryptionKey: config.TOKEN_ENCRYPTION_KEY === undefined ? null : Buffer.from(config.TOKEN_ENCRYPTION_KEY, 'base64'),
    accessTokenTtlS: config.OAUTH_ACCESS_TOKEN_TTL_S,
  }
}
