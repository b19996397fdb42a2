// The subset of GitHub's issue-search syntax the gateway's callers use: scope (repo:/org:/user:),
// kind and state (is:/type:/state:), label:, no:, author:, assignee:, created:/updated:/closed:,
// comments:, in:, negation with a leading '-', and free text (every word must appear in title or
// body, case-insensitive). An unknown qualifier is searched as text, as GitHub does.
import type { SeedIssue, SeedRepo } from './types.js'

type Test = (r: SeedRepo, i: SeedIssue) => boolean

export interface ParsedQuery {
  scopes: Array<{ kind: 'repo' | 'owner'; value: string }> // OR-ed, like GitHub
  matches: Test
}

const TOKEN = /(-?)([a-zA-Z_-]+):(?:"([^"]*)"|(\S+))|"([^"]*)"|(\S+)/g
const lc = (s: string): string => s.toLowerCase()

// Date qualifier: "2025-05-30", ">=2025-05-30", "<2025-05-30T10:00:00Z", "2025-05-01..2025-05-30".
// A bare date covers the whole day, so each side becomes a half-open [lo, hi) range in ms.
function span(v: string): [number, number] {
  const lo = Date.parse(v)
  return [lo, /^\d{4}-\d{2}-\d{2}$/.test(v) ? lo + 86_400_000 : lo + 1]
}
function rangeTest(expr: string, parse: (v: string) => [number, number]): (x: number) => boolean {
  const m = /^(>=|<=|>|<)?(.+)$/.exec(expr)
  if (!m) return () => false
  const [, op, v] = m
  if (v.includes('..')) {
    const [a, b] = v.split('..')
    const lo = a === '*' ? -Infinity : parse(a)[0]
    const hi = b === '*' ? Infinity : parse(b)[1]
    return (x) => x >= lo && x < hi
  }
  const [lo, hi] = parse(v)
  if (Number.isNaN(lo)) return () => false
  switch (op) {
    case '>': return (x) => x >= hi
    case '>=': return (x) => x >= lo
    case '<': return (x) => x < lo
    case '<=': return (x) => x < hi
    default: return (x) => x >= lo && x < hi
  }
}
const intSpan = (v: string): [number, number] => [Number(v), Number(v) + 1]

function qualifier(key: string, value: string): Test | undefined {
  const v = lc(value)
  switch (key) {
    case 'is': case 'type': case 'state':
      if (v === 'issue') return (_r, i) => !i.pull_request
      if (v === 'pr' || v === 'pull-request') return (_r, i) => Boolean(i.pull_request)
      if (v === 'open' || v === 'closed') return (_r, i) => i.state === v
      if (v === 'merged') return (_r, i) => Boolean(i.pull_request?.merged_at)
      if (v === 'unmerged') return (_r, i) => Boolean(i.pull_request) && !i.pull_request?.merged_at
      if (v === 'draft') return (_r, i) => Boolean(i.pull_request?.draft)
      return undefined
    case 'label': {
      const any = v.split(',') // label:a,b means a OR b
      return (_r, i) => i.labels.some((l) => any.includes(lc(l)))
    }
    case 'no':
      if (v === 'label') return (_r, i) => i.labels.length === 0
      if (v === 'assignee') return (_r, i) => i.assignees.length === 0
      return undefined
    case 'author': return (_r, i) => lc(i.user) === v
    case 'assignee': return (_r, i) => i.assignees.some((a) => lc(a) === v)
    case 'created': { const t = rangeTest(value, span); return (_r, i) => t(Date.parse(i.created_at)) }
    case 'updated': { const t = rangeTest(value, span); return (_r, i) => t(Date.parse(i.updated_at)) }
    case 'closed': {
      const t = rangeTest(value, span)
      return (_r, i) => i.closed_at !== null && t(Date.parse(i.closed_at))
    }
    case 'comments': { const t = rangeTest(value, intSpan); return (_r, i) => t(i.comments.length) }
    default: return undefined
  }
}

export function parseSearchQuery(q: string): ParsedQuery {
  const scopes: ParsedQuery['scopes'] = []
  const tests: Test[] = []
  const words: string[] = []
  let fields: Array<'title' | 'body'> = ['title', 'body']
  for (const m of q.matchAll(TOKEN)) {
    const [raw, neg, key, quoted, bare, phrase, word] = m
    if (key === undefined) { words.push(lc(phrase ?? word)); continue }
    const k = lc(key)
    const value = quoted ?? bare
    if (k === 'repo') { scopes.push({ kind: 'repo', value: lc(value) }); continue }
    if (k === 'org' || k === 'user') { scopes.push({ kind: 'owner', value: lc(value) }); continue }
    if (k === 'in') {
      fields = lc(value).split(',').filter((f): f is 'title' | 'body' => f === 'title' || f === 'body')
      continue
    }
    const t = qualifier(k, value)
    if (!t) { words.push(lc(raw)); continue }
    tests.push(neg ? (r, i) => !t(r, i) : t)
  }
  if (words.length) {
    tests.push((_r, i) => {
      const hay = fields.map((f) => lc(i[f] ?? '')).join('\n')
      return words.every((w) => hay.includes(w))
    })
  }
  return { scopes, matches: (r, i) => tests.every((t) => t(r, i)) }
}

/** Whether a repo falls inside the query's scope (no scope: every repo the token can see). */
export function inScope(parsed: ParsedQuery, r: SeedRepo): boolean {
  if (parsed.scopes.length === 0) return true
  const full = lc(`${r.owner}/${r.name}`)
  return parsed.scopes.some((s) => (s.kind === 'repo' ? s.value === full : s.value === lc(r.owner)))
}
