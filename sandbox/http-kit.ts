// What route handlers share: the request/answer types, GitHub's error bodies, and lookups that
// answer 404/410 exactly where GitHub does. Handlers are plain functions of data, no sockets.
import type { Ctx } from './payloads.js'
import type { SeedData, SeedIssue, SeedRepo } from './types.js'

export interface Req {
  method: string
  path: string // without query
  query: URLSearchParams
  body: unknown // parsed JSON for writes, undefined otherwise
}

export interface Answer {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface RouteCtx extends Ctx {
  /** Login of the user the request's token belongs to (the service token: `data.viewer`). */
  viewer: string
  /** GitHub-style timestamp of the current moment (writes stamp updated_at with it). */
  now(): string
  /** Next id for a new issue, comment or label; unique across the stand-in like GitHub's. */
  nextId(kind: 'issue' | 'comment' | 'label'): number
  /** Quota buckets as GET /rate_limit reports them. */
  limits(): Record<'core' | 'search', RateBucket>
}

export interface RateBucket { limit: number; remaining: number; reset: number; used: number }

export type Handler = (ctx: RouteCtx, params: string[], req: Req) => Answer

export const DOCS = 'https://docs.github.com/rest'

export function fail(status: number, message: string, doc = DOCS): Answer {
  return { status, body: { message, documentation_url: doc, status: String(status) } }
}

export interface FieldError { resource: string; code: string; field: string; value?: unknown; message?: string }

/** GitHub's 422 shape, e.g. a missing title on issue creation. */
export function invalid(doc: string, errors: FieldError[], message = 'Validation Failed'): Answer {
  return { status: 422, body: { message, errors, documentation_url: doc, status: '422' } }
}

export const ok = (body: unknown, headers?: Record<string, string>): Answer => ({ status: 200, body, headers })

export function findRepo(ctx: Ctx, owner: string, name: string): SeedRepo | undefined {
  const o = owner.toLowerCase()
  const n = name.toLowerCase()
  return ctx.data.repos.find((r) => r.owner.toLowerCase() === o && r.name.toLowerCase() === n)
}

/**
 * Resolves /repos/{owner}/{repo}/issues/{number}: the issue, or the answer GitHub gives instead
 * (404 for an unknown repo or number, 410 for a deleted issue).
 */
export function lookupIssue(ctx: Ctx, params: string[], doc: string):
  { repo: SeedRepo; issue: SeedIssue } | { answer: Answer } {
  const repo = findRepo(ctx, params[0], params[1])
  const n = /^\d+$/.test(params[2]) ? Number(params[2]) : NaN
  const issue = repo?.issues.find((i) => i.number === n)
  if (!repo || !issue) return { answer: fail(404, 'Not Found', doc) }
  if (issue.gone) return { answer: fail(410, 'This issue was deleted', doc) }
  return { repo, issue }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** GitHub refuses a body that is not the object an endpoint expects (e.g. `[]` or `"x"`). */
export function notAnObject(doc: string): Answer {
  return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: doc, status: '400' } }
}

/** Accepts GitHub's label list forms: ["a", "b"] or [{ name: "a" }]. Undefined if malformed. */
export function labelNames(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined
  const out: string[] = []
  for (const x of v) {
    if (typeof x === 'string') out.push(x)
    else if (isRecord(x) && typeof x.name === 'string') out.push(x.name)
    else return undefined
  }
  return out
}

/** Highest id in use for a kind of record; new records get the next one, as on GitHub. */
export function maxId(data: SeedData, kind: 'issue' | 'comment' | 'label'): number {
  let max = 0
  for (const r of data.repos) {
    if (kind === 'label') for (const l of r.labels) max = Math.max(max, l.id)
    for (const i of r.issues) {
      if (kind === 'issue') max = Math.max(max, i.id)
      if (kind === 'comment') for (const c of i.comments) max = Math.max(max, c.id)
    }
  }
  return max
}
