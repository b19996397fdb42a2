// Everything that is not an issue: one repository, repository lists (argument completion),
// issue search, the authenticated user, and /rate_limit.
import { fail, findRepo, invalid, ok } from './http-kit.js'
import type { Handler, Req, RouteCtx } from './http-kit.js'
import { linkHeader, pageOf, parsePaging } from './pagination.js'
import { repoJson, viewerJson } from './payload-repo.js'
import { findUser, issueJson } from './payloads.js'
import { inScope, parseSearchQuery } from './search-query.js'
import type { SeedIssue, SeedRepo } from './types.js'

const R = 'https://docs.github.com/rest/repos/repos'
const DOC_SEARCH = 'https://docs.github.com/rest/search/search#search-issues-and-pull-requests'

export const getRepo: Handler = (ctx, [owner, name]) => {
  const repo = findRepo(ctx, owner, name)
  return repo ? ok(repoJson(ctx, repo, true)) : fail(404, 'Not Found', `${R}#get-a-repository`)
}

const REPO_KEYS: Record<string, (r: SeedRepo) => string> = {
  full_name: (r) => `${r.owner}/${r.name}`.toLowerCase(),
  created: (r) => r.created_at,
  updated: (r) => r.updated_at,
  pushed: (r) => r.pushed_at,
}

// GitHub: full_name sorts ascending by default, the date keys descending.
function repoList(ctx: RouteCtx, req: Req, repos: SeedRepo[], defaultSort: string) {
  const q = req.query
  const sort = REPO_KEYS[q.get('sort') ?? ''] ? (q.get('sort') as string) : defaultSort
  const key = REPO_KEYS[sort]
  const dir = q.get('direction') ?? (sort === 'full_name' ? 'asc' : 'desc')
  const sign = dir === 'asc' ? 1 : -1
  const type = q.get('type') ?? q.get('visibility')
  const list = repos
    .filter((r) => type !== 'public' || !r.private)
    .filter((r) => type !== 'private' || r.private)
    .sort((a, b) => sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id))
  const paging = parsePaging(q)
  const link = linkHeader(`${ctx.api}${req.path}`, q, paging, list.length)
  return ok(pageOf(list, paging).map((r) => repoJson(ctx, r, false)), link ? { link } : undefined)
}

// The sandbox token can see every seeded repository (it belongs to a member of octo-org).
export const listViewerRepos: Handler = (ctx, _p, req) => repoList(ctx, req, ctx.data.repos, 'full_name')

export const listOrgRepos: Handler = (ctx, [org], req) => {
  const user = findUser(ctx.data, org)
  if (user?.type !== 'Organization') return fail(404, 'Not Found', `${R}#list-organization-repositories`)
  return repoList(ctx, req, ctx.data.repos.filter((r) => r.owner === user.login), 'created')
}

export const listUserRepos: Handler = (ctx, [login], req) => {
  const user = findUser(ctx.data, login)
  if (!user) return fail(404, 'Not Found', `${R}#list-repositories-for-a-user`)
  return repoList(ctx, req, ctx.data.repos.filter((r) => r.owner === user.login && !r.private), 'full_name')
}

const SEARCH_KEYS: Record<string, (i: SeedIssue) => number> = {
  comments: (i) => i.comments.length,
  created: (i) => Date.parse(i.created_at),
  updated: (i) => Date.parse(i.updated_at),
}

export const searchIssues: Handler = (ctx, _p, req) => {
  const q = (req.query.get('q') ?? '').trim()
  if (q === '') return invalid(DOC_SEARCH, [{ resource: 'Search', field: 'q', code: 'missing' }])
  const parsed = parseSearchQuery(q)
  const unknown = parsed.scopes.some((s) => {
    const [owner, name = ''] = s.value.split('/')
    return s.kind === 'repo' ? !findRepo(ctx, owner, name) : !findUser(ctx.data, s.value)
  })
  if (unknown) {
    return invalid(DOC_SEARCH, [{
      message: 'The listed users and repositories cannot be searched either because the resources do not exist or you do not have permission to view them.',
      resource: 'Search', field: 'q', code: 'invalid',
    }])
  }
  const hits: Array<{ repo: SeedRepo; issue: SeedIssue }> = []
  for (const repo of ctx.data.repos) {
    if (!inScope(parsed, repo)) continue
    for (const issue of repo.issues) if (!issue.gone && parsed.matches(repo, issue)) hits.push({ repo, issue })
  }
  // No relevance model here: "best match" falls back to most recently updated, deterministically.
  const key = SEARCH_KEYS[req.query.get('sort') ?? ''] ?? SEARCH_KEYS.updated
  const sign = req.query.get('order') === 'asc' ? 1 : -1
  hits.sort((a, b) => sign * (key(a.issue) - key(b.issue) || a.issue.id - b.issue.id))
  const paging = parsePaging(req.query)
  if ((paging.page - 1) * paging.perPage >= 1000) {
    return fail(422, 'Only the first 1000 search results are available', DOC_SEARCH)
  }
  const link = linkHeader(`${ctx.api}${req.path}`, req.query, paging, Math.min(hits.length, 1000))
  const items = pageOf(hits, paging).map((h) => issueJson(ctx, h.repo, h.issue, { score: 1 }))
  return ok({ total_count: hits.length, incomplete_results: false, items }, link ? { link } : undefined)
}

export const getViewer: Handler = (ctx) => ok(viewerJson(ctx, ctx.viewer))

export const getRateLimit: Handler = (ctx) => {
  const { core, search } = ctx.limits()
  const fixed = (limit: number) => ({ limit, remaining: limit, reset: core.reset, used: 0 })
  return ok({
    resources: {
      core, search, graphql: fixed(5000), integration_manifest: fixed(5000), source_import: fixed(100),
      code_scanning_upload: fixed(500), actions_runner_registration: fixed(10000), scim: fixed(15000),
      dependency_snapshots: fixed(100), code_search: fixed(10),
    },
    rate: core,
  })
}
