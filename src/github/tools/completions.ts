// completion/complete for owner, repo and issue numbers, answered from cheap GitHub listings
// (the token's own repositories, a repository's open issues), memoized for a minute and always
// filtered through the key's repository allowlist. A webhook's change to a repository's issues
// drops its memoized numbers at once (an issue opened or closed is offered, or not, from then on).
import { repoMatcher, type Access } from '../../auth/access.js'
import type { CompleterSpec, RequestContext } from '../../mcp/catalog.js'
import type { GitHubApi } from '../upstream/client.js'
import type { DomainModule } from './module.js'
import { count, isRecord, list, text } from '../presentation/read.js'
import { collectIssues } from '../upstream/queries.js'
import { TtlCache } from '../upstream/ttl-cache.js'
import type { Call } from '../upstream/credential.js'
import { Owner, Repo } from './schemas.js'

const TTL_MS = 60_000
const OWNER = new RegExp(Owner.pattern ?? '^$')
const REPO = new RegExp(Repo.pattern ?? '^$')
// Memoized loads are shared by every caller with the same credential, so no single caller's
// cancellation may abort them; the pool's request timeout still bounds them.
const SHARED = new AbortController().signal
/** A memoized load acts with the caller's credential and is kept under it: users never share one. */
const sharedCall = (ctx: RequestContext): Call => ({ signal: SHARED, credential: ctx.access.credential })
const scope = (ctx: RequestContext) => ctx.access.credential?.id ?? 'service'

/** 'owner/repo' names from a repository listing; an entry without a well-formed one is skipped. */
function fullNames (data: unknown): string[] {
  return list(data).flatMap((r) => {
    const [o, n, ...rest] = (isRecord(r) ? text(r.full_name) ?? '' : '').split('/')
    return rest.length === 0 && n !== undefined && OWNER.test(o) && REPO.test(n) ? [`${o}/${n}`] : []
  })
}

/** Issue numbers from an issue listing, skipping entries without one. */
function numbersOf (issues: readonly unknown[]): string[] {
  return issues.flatMap((i) => {
    const n = isRecord(i) ? count(i.number) : null
    return n === null || n === 0 ? [] : [String(n)]
  })
}

/** Literal owner/repo pairs in the allowlist are candidates even before GitHub is asked. */
function allowlisted (access: Access): string[] {
  return (access.repos ?? []).filter((g) => !g.includes('*') && g.includes('/'))
}

/** Only well-formed owners the allowlist could contain are worth a GitHub request. */
function mayAsk (access: Access, owner: string): boolean {
  if (!OWNER.test(owner)) return false
  return access.repos === null || access.repos.some((g) => {
    const o = g.split('/')[0]
    return o.includes('*') || o.toLowerCase() === owner.toLowerCase()
  })
}

export const completions: DomainModule = (gh: GitHubApi) => {
  const repos = new TtlCache<string[]>(TTL_MS, 100)
  const numbers = new TtlCache<string[]>(TTL_MS, 500)

  const viewerRepos = (ctx: RequestContext) => repos.get(`${scope(ctx)} /user/repos`, async () => {
    const { data } = await gh.rest.repos.listForAuthenticatedUser({ per_page: 100, sort: 'pushed', request: sharedCall(ctx) })
    return fullNames(data)
  })
  const ownerRepos = (ctx: RequestContext, owner: string) => repos.get(`${scope(ctx)} /users/${owner.toLowerCase()}/repos`, async () => {
    const { data } = await gh.rest.repos.listForUser({ username: owner, per_page: 100, sort: 'pushed', request: sharedCall(ctx) })
    return fullNames(data)
  })

  async function knownRepos (ctx: RequestContext, owner?: string): Promise<string[]> {
    // A GitHub App's installation tokens cannot list "the viewer's" repositories; the owner's
    // own listing below still can, so a refusal here leaves only the allowlist and that.
    let names = await viewerRepos(ctx).catch((): string[] => [])
    if (owner !== undefined && mayAsk(ctx.access, owner) && !names.some((n) => n.toLowerCase().startsWith(`${owner.toLowerCase()}/`))) {
      names = await ownerRepos(ctx, owner)
    }
    const allowed = repoMatcher(ctx.access)
    return [...new Set([...allowlisted(ctx.access), ...names])].filter((n) => allowed(n))
  }

  const owner: CompleterSpec = {
    argument: 'owner',
    async complete (_prefix, _context, ctx) {
      return [...new Set((await knownRepos(ctx)).map((n) => n.split('/')[0]))]
    },
  }
  const repo: CompleterSpec = {
    argument: 'repo',
    async complete (_prefix, context, ctx) {
      const o = context.owner?.toLowerCase()
      const names = await knownRepos(ctx, context.owner)
      return names.filter((n) => o === undefined || n.toLowerCase().startsWith(`${o}/`)).map((n) => n.split('/')[1])
    },
  }
  const issueNumber = (argument: string): CompleterSpec => ({
    argument,
    async complete (_prefix, context, ctx) {
      const { owner: o, repo: r } = context
      // Context arguments are whatever the client typed so far: only well-formed names are looked up.
      if (o === undefined || r === undefined || !OWNER.test(o) || !REPO.test(r) || !repoMatcher(ctx.access)(`${o}/${r}`)) return []
      return numbers.get(`${scope(ctx)} ${o}/${r}`.toLowerCase(), async () => {
        // Keyed '<scope> owner/repo': invalidate() below reads the repository back from the end.
        const got = await collectIssues(gh, { owner: o, repo: r, state: 'open', limit: 50, sort: 'updated' }, sharedCall(ctx))
        return numbersOf(got.issues)
      })
    },
  })
  /** The numbers came from /repos/o/r/issues: dropped, for every credential, when a webhook makes that stale. */
  const invalidate = (stale: readonly string[]) => numbers.forget((key) => {
    const listing = `/repos/${key.slice(key.lastIndexOf(' ') + 1)}/issues`
    return stale.some((p) => listing.startsWith(p))
  })
  return { completers: [owner, repo, issueNumber('number'), issueNumber('issue_number')], invalidate }
}
