// Labels: repo label list, an issue's labels, POST (adds) versus PUT (replaces). Like GitHub,
// naming a label the repo does not have yet creates it (grey, no description).
import { fail, findRepo, invalid, isRecord, labelNames, lookupIssue, notAnObject, ok } from './http-kit.js'
import type { Answer, Handler, Req, RouteCtx } from './http-kit.js'
import { linkHeader, pageOf, parsePaging } from './pagination.js'
import { findLabel, issueLabelsJson, labelJson } from './payloads.js'
import type { SeedRepo } from './types.js'

const D = 'https://docs.github.com/rest/issues/labels'
const DOC_REPO_LABELS = `${D}#list-labels-for-a-repository`
const DOC_ISSUE_LABELS = `${D}#list-labels-for-an-issue`
const DOC_ADD = `${D}#add-labels-to-an-issue`
const DOC_SET = `${D}#set-labels-for-an-issue`

/** Canonical label names for `names`, creating the unknown ones in the repo; case-insensitive dedupe. */
export function ensureLabels(ctx: RouteCtx, repo: SeedRepo, names: string[]): string[] {
  const out: string[] = []
  for (const raw of names) {
    const name = raw.trim()
    if (name === '' || out.some((n) => n.toLowerCase() === name.toLowerCase())) continue
    let label = findLabel(repo, name)
    if (!label) {
      label = { id: ctx.nextId('label'), name, color: 'ededed', description: null, default: false }
      repo.labels.push(label)
    }
    out.push(label.name)
  }
  return out
}

export const listRepoLabels: Handler = (ctx, [owner, name], req) => {
  const repo = findRepo(ctx, owner, name)
  if (!repo) return fail(404, 'Not Found', DOC_REPO_LABELS)
  const paging = parsePaging(req.query)
  const link = linkHeader(`${ctx.api}${req.path}`, req.query, paging, repo.labels.length)
  return ok(pageOf(repo.labels, paging).map((l) => labelJson(ctx, repo, l)), link ? { link } : undefined)
}

export const listIssueLabels: Handler = (ctx, params, req) => {
  const found = lookupIssue(ctx, params, DOC_ISSUE_LABELS)
  if ('answer' in found) return found.answer
  const all = issueLabelsJson(ctx, found.repo, found.issue)
  const paging = parsePaging(req.query)
  const link = linkHeader(`${ctx.api}${req.path}`, req.query, paging, all.length)
  return ok(pageOf(all, paging), link ? { link } : undefined)
}

// Both endpoints accept `{"labels": [...]}` or a bare array, of names or of `{name}` objects.
function requestedLabels(req: Req, doc: string, required: boolean): string[] | Answer {
  const raw = Array.isArray(req.body) ? req.body : isRecord(req.body) ? req.body.labels : undefined
  if (!Array.isArray(req.body) && !isRecord(req.body)) return notAnObject(doc)
  if (raw === undefined && !required) return []
  const names = labelNames(raw)
  if (!names) return invalid(doc, [{ resource: 'Label', code: 'missing_field', field: 'labels' }])
  return names
}

function writeLabels(mode: 'add' | 'set'): Handler {
  const doc = mode === 'add' ? DOC_ADD : DOC_SET
  return (ctx, params, req) => {
    const found = lookupIssue(ctx, params, doc)
    if ('answer' in found) return found.answer
    const names = requestedLabels(req, doc, mode === 'add')
    if (!Array.isArray(names)) return names
    const { repo, issue } = found
    issue.labels = ensureLabels(ctx, repo, mode === 'add' ? [...issue.labels, ...names] : names)
    issue.updated_at = ctx.now()
    return ok(issueLabelsJson(ctx, repo, issue))
  }
}

export const addIssueLabels = writeLabels('add')
export const setIssueLabels = writeLabels('set')
