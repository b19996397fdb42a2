// The GitHub reads that tools, resources and prompts share. All go through the one Octokit (so
// throttling, retries, the ETag cache and cancellation apply) and all keep pull requests out.
import type { GitHubApi } from './client.js'
import { isPullRequest, type RawComment, type RawIssue } from '../presentation/format.js'
import { pagesFrom, type Pages } from './pagination.js'
import { expectList } from '../presentation/read.js'
import { ToolError } from '../../mcp/tool-errors.js'
import type { Call } from './credential.js'

const MAX_PAGES = 5 // a listing never costs more than five upstream requests

export interface IssueQuery {
  owner: string
  repo: string
  state: 'open' | 'closed' | 'all'
  limit: number
  sort?: 'created' | 'updated' | 'comments'
  direction?: 'asc' | 'desc'
  since?: string
}

export interface CollectedIssues {
  issues: RawIssue[]
  skippedPullRequests: number
  hasMore: boolean
}

export async function fetchIssue (gh: GitHubApi, owner: string, repo: string, n: number, call: Call): Promise<RawIssue> {
  const { data } = await gh.rest.issues.get({ owner, repo, issue_number: n, request: call })
  if (isPullRequest(data)) {
    throw new ToolError(`#${n} in ${owner}/${repo} is a pull request, not an issue; these tools work on issues only.`)
  }
  return data as RawIssue
}

/** Up to `limit` issues, reading further pages when pull requests take up room on a page. */
export async function collectIssues (gh: GitHubApi, q: IssueQuery, call: Call): Promise<CollectedIssues> {
  const perPage = Math.min(100, q.limit * 2) // a little slack for pull requests mixed in
  const issues: RawIssue[] = []
  let skipped = 0
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await gh.rest.issues.listForRepo({
      owner: q.owner, repo: q.repo, state: q.state, sort: q.sort, direction: q.direction, since: q.since,
      per_page: perPage, page, request: call,
    })
    const data: unknown = res.data
    expectList(data)
    for (const raw of data) {
      if (isPullRequest(raw)) skipped++
      else issues.push(raw as RawIssue)
    }
    const hasNext = pagesFrom(res.headers.link, page).has_next
    if (issues.length >= q.limit) {
      return { issues: issues.slice(0, q.limit), skippedPullRequests: skipped, hasMore: issues.length > q.limit || hasNext }
    }
    if (!hasNext) return { issues, skippedPullRequests: skipped, hasMore: false }
  }
  return { issues, skippedPullRequests: skipped, hasMore: true }
}

export interface IssuePage extends Pages {
  issues: RawIssue[]
  skippedPullRequests: number
}

export async function issuePage (
  gh: GitHubApi, q: Omit<IssueQuery, 'limit'> & { page: number, perPage: number }, call: Call,
): Promise<IssuePage> {
  const res = await gh.rest.issues.listForRepo({
    owner: q.owner, repo: q.repo, state: q.state, sort: q.sort, direction: q.direction,
    per_page: q.perPage, page: q.page, request: call,
  })
  const data: unknown = res.data
  expectList(data)
  const issues = data.filter((raw) => !isPullRequest(raw)) as RawIssue[]
  return { ...pagesFrom(res.headers.link, q.page), issues, skippedPullRequests: data.length - issues.length }
}

export async function commentPage (
  gh: GitHubApi, owner: string, repo: string, n: number, page: number, perPage: number, call: Call,
): Promise<Pages & { comments: RawComment[] }> {
  const res = await gh.rest.issues.listComments({ owner, repo, issue_number: n, page, per_page: perPage, request: call })
  return { ...pagesFrom(res.headers.link, page), comments: res.data as RawComment[] }
}
