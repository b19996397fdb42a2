// What one API key may do. Scopes decide which kinds of handler exist for it; repository globs
// decide which repositories any tool, resource or prompt may touch. The MCP layer asks only
// may()/reaches() (src/mcp/access.ts); the words and the grants live here, with the keys.
import type { AccessKind, AccessPolicy } from '../mcp/access.js'
import type { Credential } from './credential.js'

export type Scope = 'issues:read' | 'issues:write'
export const SCOPES: readonly Scope[] = ['issues:read', 'issues:write']
/** The scope each kind of handler needs. */
export const SCOPE_FOR: Readonly<Record<AccessKind, Scope>> = { read: 'issues:read', write: 'issues:write' }

export interface Access extends AccessPolicy {
  readonly scopes: ReadonlySet<Scope>
  /** 'owner/repo' globs such as 'octo-org/*'; null means every repository the token can see. */
  readonly repos: readonly string[] | null
  /** True when 'owner/repo' is inside the allowlist; a plain function, safe to pass around unbound. */
  readonly reaches: RepoMatcher
  /** The caller's own upstream credential (an OAuth user's GitHub token); null: the service's. */
  readonly credential: Credential | null
  /** An API key's, or an OAuth access token's (a user who signed in): only a token can be re-authorized for more scopes. */
  readonly holder: Holder
}

declare module '../mcp/access.js' {
  interface AccessRegistry { access: Access }
}

export type RepoMatcher = (fullName: string) => boolean

const ALLOW_ALL: RepoMatcher = () => true

/** '*' matches within one path segment, so 'octo-org/*' never reaches 'octo-org-evil/x'. */
export function globToRegExp (glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')
  return new RegExp(`^${body}$`, 'i') // GitHub names are case-insensitive
}

export function repoRefusal (fullName: string): string {
  return `Access to ${fullName} is not permitted for this API key. ` +
    'Ask the gateway operator to add it to the key\'s repository allowlist.'
}

/** Who holds an Access: a key, or a user who signed in (OAuth). */
export type Holder = 'key' | 'user'

function kindRefusal (holder: Holder) {
  return holder === 'key'
    ? (subject: string, kind: AccessKind) => `${subject} is not available to this API key: it needs the ${SCOPE_FOR[kind]} scope.`
    // insufficient_scope is OAuth's word for it (RFC 6750): clients and people recognise it.
    : (subject: string, kind: AccessKind) => `${subject} is not available to this sign-in (insufficient_scope): ` +
      `it needs the ${SCOPE_FOR[kind]} scope. Sign in again and grant it.`
}

/** Built once per configured key (not per session or call), so the globs compile once. */
export function keyAccess (scopes: Iterable<Scope>, repos: readonly string[] | null): Access {
  return access(scopes, repos, null, 'key')
}

/** A signed-in user's access: the scopes they granted, acting with their own credential. */
export function userAccess (scopes: Iterable<Scope>, credential: Credential | null): Access {
  return access(scopes, null, credential, 'user')
}

function access (scopes: Iterable<Scope>, repos: readonly string[] | null, credential: Credential | null, holder: Holder): Access {
  const granted: ReadonlySet<Scope> = new Set(scopes)
  const patterns = repos?.map(globToRegExp)
  const reaches: RepoMatcher = patterns === undefined ? ALLOW_ALL : (fullName) => patterns.some((p) => p.test(fullName))
  return Object.freeze({
    scopes: granted,
    repos,
    reaches,
    credential,
    holder,
    may: (kind: AccessKind) => granted.has(SCOPE_FOR[kind]),
    refuseKind: kindRefusal(holder),
    refuseTarget: repoRefusal,
  })
}

export const FULL_ACCESS: Access = keyAccess(SCOPES, null)

/** The key's repository predicate, for code that filters GitHub's answers by it. */
export function repoMatcher (access: Access): RepoMatcher {
  return access.reaches
}
