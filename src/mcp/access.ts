// What one API key may do: the scopes decide which tools exist for it, the repo globs decide
// which repositories any tool, resource or prompt may touch. Checked here, before GitHub is asked.

export type Scope = 'issues:read' | 'issues:write'
export type ToolAccess = 'read' | 'write'

export interface Access {
  scopes: ReadonlySet<Scope>
  /** 'owner/repo' globs such as 'octo-org/*'; null means every repository the token can see. */
  repos: readonly string[] | null
}

export const FULL_ACCESS: Access = Object.freeze({
  scopes: new Set<Scope>(['issues:read', 'issues:write']),
  repos: null,
})

export function allows (access: Access, needed: ToolAccess): boolean {
  return access.scopes.has(needed === 'read' ? 'issues:read' : 'issues:write')
}

export interface RepoMatcher {
  /** True when 'owner/repo' is inside the allowlist (GitHub names are case-insensitive). */
  (fullName: string): boolean
}

const ALLOW_ALL: RepoMatcher = () => true
// Keys keep the same repos array for every session they open, so the compiled matcher is built
// once per key, not once per session.
const compiled = new WeakMap<readonly string[], RepoMatcher>()

export function repoMatcher (access: Access): RepoMatcher {
  if (access.repos === null) return ALLOW_ALL
  let matcher = compiled.get(access.repos)
  if (matcher === undefined) {
    const patterns = access.repos.map(globToRegExp)
    matcher = (fullName) => patterns.some((p) => p.test(fullName))
    compiled.set(access.repos, matcher)
  }
  return matcher
}

/** '*' matches within one path segment, so 'octo-org/*' never reaches 'octo-org-evil/x'. */
export function globToRegExp (glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')
  return new RegExp(`^${body}$`, 'i')
}

export function repoRefusal (fullName: string): string {
  return `Access to ${fullName} is not permitted for this API key. ` +
    'Ask the gateway operator to add it to the key\'s repository allowlist.'
}
