// /repos/{owner}/{repo}/issues and /issues/{number}: list (filters, sort, pagination), get,
// create and update, with GitHub's 404/410/422 answers.
import { fail, findRepo, invalid, isRecord, labelNames, lookupIssue, notAnObject, ok } from './http-kit.js'
import type { Answer, FieldError, Handler, RouteCtx } from './http-kit.js'
import { linkHeader, pageOf, parsePaging } from './pagination.js'
import { findUser, issueJson } from './payloads.js'
import { ensureLabels } from './routes-labels.js'
import type { SeedIssue, SeedRepo, StateReason } from './types.js'

const D = 'https://docs.github.com/rest/issues/issues'
const DOC_LIST = `${D}#list-repository-issues`
const DOC_GET = `${D}#get-an-issue`
const DOC_CREATE = `${D}#create-an-issue`
const DOC_UPDATE = `${D}#update-an-issue`

const SORT_KEYS: Record<string, (i: SeedIssue) => number> = {
  created: (i) => Date.parse(i.created_at),
  updated: (i) => Date.parse(i.updated_at),
  comments: (i) => i.comments.length,
}

export const listIssues: Handler = (ctx, [owner, name], req) => {
  const repo = findRepo(ctx, owner, name)
  if (!repo) return fail(404, 'Not Found', DOC_LIST)
  const q = req.query
  const state = q.get('state') ?? 'open'
  const labels = (q.get('labels') ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean)
  const since = q.has('since') ? Date.parse(q.get('since') ?? '') : NaN
  const assignee = q.get('assignee')?.toLowerCase()
  const creator = q.get('creator')?.toLowerCase()
  const items = repo.issues.filter((i) =>
    !i.gone &&
    (state === 'all' || i.state === state) &&
    labels.every((l) => i.labels.some((x) => x.toLowerCase() === l)) &&
    (Number.isNaN(since) || Date.parse(i.updated_at) >= since) &&
    (assignee === undefined || (assignee === 'none' ? i.assignees.length === 0
      : assignee === '*' ? i.assignees.length > 0 : i.assignees.some((a) => a.toLowerCase() === assignee))) &&
    (creator === undefined || i.user.toLowerCase() === creator))
  const key = SORT_KEYS[q.get('sort') ?? 'created'] ?? SORT_KEYS.created
  const sign = q.get('direction') === 'asc' ? 1 : -1
  items.sort((a, b) => sign * (key(a) - key(b) || a.number - b.number))
  const paging = parsePaging(q)
  const link = linkHeader(`${ctx.api}${req.path}`, q, paging, items.length)
  return ok(pageOf(items, paging).map((i) => issueJson(ctx, repo, i)), link ? { link } : undefined)
}

export const getIssue: Handler = (ctx, params) => {
  const found = lookupIssue(ctx, params, DOC_GET)
  if ('answer' in found) return found.answer
  return ok(issueJson(ctx, found.repo, found.issue, { single: true }))
}

/** Assignees must be known users (GitHub: people with push access); anything else is a 422. */
function checkAssignees(ctx: RouteCtx, v: unknown, doc: string): string[] | Answer {
  if (!Array.isArray(v) || v.some((a) => typeof a !== 'string')) {
    return invalid(doc, [{ resource: 'Issue', code: 'invalid', field: 'assignees', value: v }])
  }
  const errors: FieldError[] = []
  const logins: string[] = []
  for (const a of v as string[]) {
    const u = findUser(ctx.data, a)
    if (!u || u.type !== 'User') errors.push({ resource: 'Issue', code: 'invalid', field: 'assignees', value: a })
    else if (!logins.includes(u.login)) logins.push(u.login)
  }
  return errors.length ? invalid(doc, errors) : logins
}

function authorAssociation(ctx: RouteCtx, repo: SeedRepo): SeedIssue['author_association'] {
  if (repo.owner === ctx.viewer) return 'OWNER'
  return findUser(ctx.data, repo.owner)?.type === 'Organization' ? 'MEMBER' : 'COLLABORATOR'
}

export const createIssue: Handler = (ctx, [owner, name], req) => {
  const repo = findRepo(ctx, owner, name)
  if (!repo) return fail(404, 'Not Found', DOC_CREATE)
  if (!isRecord(req.body)) return notAnObject(DOC_CREATE)
  const { title, body } = req.body
  if (typeof title !== 'string' || title.trim() === '') {
    return invalid(DOC_CREATE, [{ resource: 'Issue', code: 'missing_field', field: 'title' }])
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return invalid(DOC_CREATE, [{ resource: 'Issue', code: 'invalid', field: 'body', value: body }])
  }
  const assignees = checkAssignees(ctx, req.body.assignees ?? [], DOC_CREATE)
  if (!Array.isArray(assignees)) return assignees
  const names = labelNames(req.body.labels ?? [])
  if (!names) return invalid(DOC_CREATE, [{ resource: 'Issue', code: 'invalid', field: 'labels' }])
  const now = ctx.now()
  const issue: SeedIssue = {
    id: ctx.nextId('issue'),
    number: repo.issues.reduce((max, i) => Math.max(max, i.number), 0) + 1,
    title, body: body ?? null, user: ctx.viewer, state: 'open', state_reason: null, locked: false,
    labels: ensureLabels(ctx, repo, names), assignees, created_at: now, updated_at: now, closed_at: null,
    closed_by: null, author_association: authorAssociation(ctx, repo), comments: [], reactions: {},
  }
  repo.issues.push(issue)
  const json = issueJson(ctx, repo, issue, { single: true })
  return { status: 201, body: json, headers: { location: json.url } }
}

const REASONS: ReadonlyArray<StateReason | null> = ['completed', 'not_planned', 'reopened', 'duplicate', null]

export const updateIssue: Handler = (ctx, params, req) => {
  const found = lookupIssue(ctx, params, DOC_UPDATE)
  if ('answer' in found) return found.answer
  const { repo, issue } = found
  if (!isRecord(req.body)) return notAnObject(DOC_UPDATE)
  const b = req.body
  const bad = (field: string, value: unknown): Answer =>
    invalid(DOC_UPDATE, [{ resource: 'Issue', code: 'invalid', field, value }])
  if (b.title !== undefined && (typeof b.title !== 'string' || b.title.trim() === '')) {
    return invalid(DOC_UPDATE, [{ resource: 'Issue', code: 'missing_field', field: 'title' }])
  }
  if (b.body !== undefined && b.body !== null && typeof b.body !== 'string') return bad('body', b.body)
  if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed') return bad('state', b.state)
  if (b.state_reason !== undefined && !REASONS.includes(b.state_reason as StateReason)) return bad('state_reason', b.state_reason)
  const assignees = b.assignees === undefined ? undefined : checkAssignees(ctx, b.assignees ?? [], DOC_UPDATE)
  if (assignees !== undefined && !Array.isArray(assignees)) return assignees
  const names = b.labels === undefined ? undefined : labelNames(b.labels ?? [])
  if (b.labels !== undefined && !names) return bad('labels', b.labels)

  const now = ctx.now()
  if (typeof b.title === 'string') issue.title = b.title
  if (b.body !== undefined) issue.body = (b.body as string | null)
  if (assignees) issue.assignees = assignees
  if (names) issue.labels = ensureLabels(ctx, repo, names) // PATCH replaces the whole set
  if (b.state === 'closed' && issue.state === 'open') {
    Object.assign(issue, { state: 'closed', closed_at: now, closed_by: ctx.viewer })
    issue.state_reason = issue.pull_request ? null : ((b.state_reason as StateReason | undefined) ?? 'completed')
  } else if (b.state === 'open' && issue.state === 'closed') {
    Object.assign(issue, { state: 'open', closed_at: null, closed_by: null })
    issue.state_reason = issue.pull_request ? null : 'reopened'
  } else if (b.state_reason !== undefined && issue.state === 'closed' && !issue.pull_request) {
    issue.state_reason = b.state_reason as StateReason | null
  }
  issue.updated_at = now
  return ok(issueJson(ctx, repo, issue, { single: true }))
}
