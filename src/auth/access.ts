// What one API key may do. Scopes decide which kinds of handler exist for it; repository globs
// decide which repositories any tool, resource or prompt may touch. The MCP layer asks only
// may()/reaches() (src/mcp/access.ts); the words and the grants live here, with the keys.
import type { AccessKind, AccessPolicy } from '../mcp/access.js'

export type Scope = 'issues:read' | 'issues:write'
export const SCOPES: readonly Scope[] = ['issues:read', 'issues:write']
const SCOPE_FOR: Readonly<Record<AccessKind, Scope>> = { read: 'issues:read', write: 'issues:write' }

export interface Access extends AccessPolicy {
  readonly scopes: ReadonlySet<Scope>
  /** 'owner/repo' globs such as 'octo-org/*'; null means every repository the token can see. */
  readonly repos: readonly string[] | null
  /** True when 'owner/repo' is inside the allowlist; a plain function, safe to pass around unbound. */
  readonly reaches: RepoMatcher
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

/** Built once per configured key (not per session or call), so the globs compile once. */
export function keyAccess (scopes: Iterable<Scope>, repos: readonly string[] | null): Access {
  const granted: ReadonlySet<Scope> = new Set(scopes)
  const patterns = repos?.map(globToRegExp)
  const reaches: RepoMatcher = patterns === undefined ? ALLOW_ALL : (fullName) => patterns.some((p) => p.test(fullName))
  return Object.freeze({
    scopes: granted,
    repos,
    reaches,
    may: (kind: AccessKind) => granted.has(SCOPE_FOR[kind]),
    refuseKind: (subject: string, kind: AccessKind) =>
      `${subject} is not available to this API key: it needs the ${SCOPE_FOR[kind]} scope.`,
    refuseTarget: repoRefusal,
  })
}

export const FULL_ACCESS: Access = keyAccess(SCOPES, null)

/** The key's repository predicate, for code that filters GitHub's answers by it. */
export function repoMatcher (access: Access): RepoMatcher {
  return access.reaches
}
