// A GitHub App on the stand-in: the App's JWT (RS256, signed with its private key, `iss` = App
// id, at most ten minutes long) on the App's own routes; installation look-ups; installation
// access tokens (`ghs_…`, an hour unless told otherwise) that reach only their account's
// repositories, as GitHub's do. Shapes follow GitHub's REST docs for the Apps API.
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto'
import { fail, findRepo, type Answer, type RouteCtx } from './http-kit.js'
import { findUser, userJson } from './payloads.js'

export interface SandboxAppOptions {
  id: number
  /** The App's key, PEM (private or public: only its public half is used). */
  key: string
  /** Accounts (logins of seed users or organisations) the App is installed on. */
  installations: Array<{ id: number, account: string }>
  /** Lifetime of an installation token; default one hour, as on GitHub. */
  tokenTtlMs?: number
}

/** A live token and what it may reach. */
interface Issued { installation: number, account: string, expiresAt: number }

export type Verdict = { ok: true } | { ok: false, answer: Answer }

const PERMISSIONS = { issues: 'write', metadata: 'read' }
const JWT_DOCS = 'https://docs.github.com/rest'
const APP_ROUTE = /^\/(?:app(?:\/.*)?|(?:repos\/[^/]+\/[^/]+|users\/[^/]+|orgs\/[^/]+)\/installation)$/
const b64 = (s: string) => Buffer.from(s, 'base64url')

export class SandboxApp {
  private readonly publicKey: KeyObject
  private readonly tokens = new Map<string, Issued>()
  /** Installation tokens minted so far (tests count refreshes by it). */
  minted = 0

  constructor (private readonly opts: SandboxAppOptions, private readonly now: () => number = Date.now) {
    this.publicKey = createPublicKey(opts.key)
  }

  isAppRoute (path: string): boolean { return APP_ROUTE.test(path) }

  /** Whether a bearer JWT is this App's, valid now; the failure is GitHub's wording. */
  private checkJwt (jwt: string): Answer | undefined {
    const parts = jwt.split('.')
    if (parts.length !== 3) return fail(401, 'A JSON web token could not be decoded', JWT_DOCS)
    let header: { alg?: string }, claims: { iss?: unknown, iat?: unknown, exp?: unknown }
    try {
      header = JSON.parse(b64(parts[0]).toString('utf8'))
      claims = JSON.parse(b64(parts[1]).toString('utf8'))
    } catch {
      return fail(401, 'A JSON web token could not be decoded', JWT_DOCS)
    }
    const signed = header.alg === 'RS256' && verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, b64(parts[2]))
    if (!signed || String(claims.iss) !== String(this.opts.id)) {
      return fail(401, 'A JSON web token could not be decoded', JWT_DOCS)
    }
    const nowS = Math.floor(this.now() / 1000)
    if (typeof claims.exp !== 'number' || claims.exp <= nowS) {
      return fail(401, '\'Expiration time\' claim (\'exp\') must be a numeric value representing the future time at which the assertion expires', JWT_DOCS)
    }
    if (typeof claims.iat !== 'number' || claims.iat > nowS + 60) {
      return fail(401, '\'Issued at\' claim (\'iat\') must be an Integer representing the time that the assertion was issued', JWT_DOCS)
    }
    if (claims.exp - nowS > 600 + 60) return fail(401, '\'Expiration time\' claim (\'exp\') is too far in the future', JWT_DOCS)
    return undefined
  }

  /** The App's routes, for a request that presented `credential` (the part after "Bearer"). */
  answerAppRoute (ctx: RouteCtx, method: string, path: string, credential: string): Answer {
    if (this.tokens.has(credential)) return fail(403, 'Resource not accessible by integration', JWT_DOCS)
    const refused = this.checkJwt(credential)
    if (refused) return refused
    const segments = path.split('/').slice(1)
    if (method === 'GET' && path === '/app') {
      return { status: 200, body: { id: this.opts.id, slug: 'sandbox-app', name: 'Sandbox App', owner: userJson(ctx, 'octo-org'), permissions: PERMISSIONS, events: ['issues', 'issue_comment', 'label'] } }
    }
    if (method === 'GET' && path === '/app/installations') {
      return { status: 200, body: this.opts.installations.map((i) => this.installationJson(ctx, i)) }
    }
    const tokenFor = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path)
    if (method === 'POST' && tokenFor) {
      const installation = this.opts.installations.find((i) => i.id === Number(tokenFor[1]))
      if (!installation) return fail(404, 'Not Found')
      const token = `ghs_${randomBytes(18).toString('base64url')}`
      const expiresAt = this.now() + (this.opts.tokenTtlMs ?? 3_600_000)
      this.tokens.set(token, { installation: installation.id, account: installation.account.toLowerCase(), expiresAt })
      this.minted++
      return {
        status: 201,
        body: { token, expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: PERMISSIONS, repository_selection: 'all' },
      }
    }
    if (method === 'GET' && segments.at(-1) === 'installation') {
      const [kind, owner, repo] = segments
      const account = owner.toLowerCase()
      const type = findUser(ctx.data, owner)?.type
      const exists = kind === 'repos' ? findRepo(ctx, owner, repo) !== undefined
        : kind === 'users' ? type === 'User' : type === 'Organization'
      const installation = this.opts.installations.find((i) => i.account.toLowerCase() === account)
      if (!exists || !installation) return fail(404, 'Not Found')
      return { status: 200, body: this.installationJson(ctx, installation) }
    }
    return fail(404, 'Not Found')
  }

  /**
   * Whether an installation token may make this request: undefined when `credential` is no
   * token of this App's. Expired → 401; another account's repository → 404, as on GitHub.
   */
  checkToken (credential: string, path: string): Verdict | undefined {
    const issued = this.tokens.get(credential)
    if (!issued) return undefined
    if (issued.expiresAt <= this.now()) return { ok: false, answer: fail(401, 'Bad credentials') }
    const owner = /^\/(?:repos|users|orgs)\/([^/]+)/.exec(path)?.[1]?.toLowerCase()
    if (owner !== undefined && path.startsWith('/repos/') && owner !== issued.account) return { ok: false, answer: fail(404, 'Not Found') }
    if (path === '/user' || path.startsWith('/user/')) return { ok: false, answer: fail(403, 'Resource not accessible by integration') }
    return { ok: true }
  }

  private installationJson (ctx: RouteCtx, i: { id: number, account: string }) {
    const api = ctx.api
    const account = findUser(ctx.data, i.account)
    return {
      id: i.id,
      account: userJson(ctx, i.account),
      repository_selection: 'all',
      access_tokens_url: `${api}/app/installations/${i.id}/access_tokens`,
      repositories_url: `${api}/installation/repositories`,
      html_url: `https://github.com/${account?.type === 'Organization' ? 'organizations/' + i.account + '/' : ''}settings/installations/${i.id}`,
      app_id: this.opts.id,
      app_slug: 'sandbox-app',
      target_id: account?.id ?? 0,
      target_type: account?.type ?? 'User',
      permissions: PERMISSIONS,
      events: ['issues', 'issue_comment', 'label'],
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    }
  }
}
