// /repos/{owner}/{repo}/issues/{number}/comments: oldest first, paginated with Link; POST adds one.
import { invalid, isRecord, lookupIssue, notAnObject, ok } from './http-kit.js'
import type { Handler } from './http-kit.js'
import { linkHeader, pageOf, parsePaging } from './pagination.js'
import { commentJson, findUser } from './payloads.js'
import type { SeedComment } from './types.js'

const D = 'https://docs.github.com/rest/issues/comments'
const DOC_LIST = `${D}#list-issue-comments`
const DOC_CREATE = `${D}#create-an-issue-comment`

export const listComments: Handler = (ctx, params, req) => {
  const found = lookupIssue(ctx, params, DOC_LIST)
  if ('answer' in found) return found.answer
  const { repo, issue } = found
  const since = req.query.has('since') ? Date.parse(req.query.get('since') ?? '') : NaN
  const all = Number.isNaN(since) ? issue.comments
    : issue.comments.filter((c) => Date.parse(c.updated_at) >= since)
  const paging = parsePaging(req.query)
  const link = linkHeader(`${ctx.api}${req.path}`, req.query, paging, all.length)
  return ok(pageOf(all, paging).map((c) => commentJson(ctx, repo, issue, c)), link ? { link } : undefined)
}

export const createComment: Handler = (ctx, params, req) => {
  const found = lookupIssue(ctx, params, DOC_CREATE)
  if ('answer' in found) return found.answer
  if (!isRecord(req.body)) return notAnObject(DOC_CREATE)
  const { body } = req.body
  if (typeof body !== 'string' || body.trim() === '') {
    return invalid(DOC_CREATE, [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }])
  }
  const { repo, issue } = found
  const now = ctx.now()
  const viewerIsOrgMember = findUser(ctx.data, repo.owner)?.type === 'Organization'
  const comment: SeedComment = {
    id: ctx.nextId('comment'), user: ctx.viewer, body, created_at: now, updated_at: now,
    author_association: repo.owner === ctx.viewer ? 'OWNER' : viewerIsOrgMember ? 'MEMBER' : 'COLLABORATOR',
  }
  issue.comments.push(comment)
  issue.updated_at = now
  const json = commentJson(ctx, repo, issue, comment)
  return { status: 201, body: json, headers: { location: json.url } }
}
