// Keeps search_issues inside a key's repository allowlist and on issues unless asked otherwise.
// Scope qualifiers (repo:, org:, user:) are OR-ed by GitHub, so a query naming any repository
// outside the allowlist is refused, and a query naming none gets the allowlist appended.
import { repoMatcher, type Access } from '../../auth/access.js'
import { AccessRefusal } from '../../mcp/tool-errors.js'

const QUALIFIER = /(^|\s)(-?)(repo|org|user|is|type):("[^"]*"|\S+)/gi

export interface ScopedQuery {
  /** What is sent to GitHub. */
  q: string
  /** Whether the caller asked for pull requests (otherwise they are filtered out too). */
  wantsPullRequests: boolean
}

function parts (glob: string): [string, string] {
  const slash = glob.indexOf('/')
  return slash === -1 ? [glob, '*'] : [glob.slice(0, slash), glob.slice(slash + 1)]
}

/** Whether the allowlist contains every repository of `owner` (needed for org:/user:). */
function coversOwner (globs: readonly string[], owner: string): boolean {
  return globs.some((g) => {
    const [o, r] = parts(g)
    return r === '*' && (o === '*' || o.toLowerCase() === owner.toLowerCase())
  })
}

/** Qualifiers that confine a query to the allowlist; a '*' owner cannot be expressed. */
function allowlistQualifiers (globs: readonly string[]): string[] {
  const out = new Set<string>()
  for (const g of globs) {
    const [o, r] = parts(g)
    if (o.includes('*')) {
      throw new AccessRefusal('This API key may only search some repositories; name them with repo:owner/name in the query.')
    }
    // A partial repo pattern ('octo-org/w*') searches the owner; results are filtered afterwards.
    out.add(r.includes('*') ? `user:${o}` : `repo:${o}/${r}`)
  }
  return [...out]
}

export function scopeQuery (query: string, access: Access): ScopedQuery {
  const named: Array<{ kind: string, value: string }> = []
  let kindGiven = false
  let wantsPullRequests = false
  for (const m of query.matchAll(QUALIFIER)) {
    const [, , negated, key, raw] = m
    const kind = key.toLowerCase()
    const value = raw.replace(/^"|"$/g, '').toLowerCase()
    if (kind === 'is' || kind === 'type') {
      if (['issue', 'pr', 'pull-request'].includes(value)) kindGiven = true
      if (negated === '' && (value === 'pr' || value === 'pull-request')) wantsPullRequests = true
    } else if (negated === '') {
      named.push({ kind, value })
    }
  }
  const extra: string[] = kindGiven ? [] : ['is:issue'] // issues, not pull requests, unless asked
  if (access.repos !== null) {
    const allowed = repoMatcher(access)
    const outside = named.filter((n) => (n.kind === 'repo' ? !allowed(n.value) : !coversOwner(access.repos ?? [], n.value)))
    if (outside.length > 0) {
      throw new AccessRefusal(`This API key may not search ${outside.map((n) => `${n.kind}:${n.value}`).join(', ')}. ` +
        `Allowed repositories: ${access.repos.join(', ') || 'none'}.`)
    }
    if (named.length === 0) extra.push(...allowlistQualifiers(access.repos))
  }
  return { q: [query.trim(), ...extra].join(' '), wantsPullRequests }
}
