// A cached answer brought up to date from the objects a change carries (issue-change.ts), instead
// of asking GitHub again: the issue itself, an issue list holding it in place, a comment page a new
// comment is appended to. Only where the new answer is certain; otherwise the entry is marked stale
// (revalidated, as without this). An object replaces a cached one only when it is newer (stamped.ts);
// an older one is old news, and one of the same second is revalidated unless both say the same.
import { isRecord } from '../presentation/read.js'
import { STALE, type EtagCache, type Entry, type Verdict } from './etag-cache.js'
import { affected, isGone, keepsComments, maybeMoved, type CacheChange, type IssueChange } from './issue-change.js'
import { jsonOf, RecordHeaders } from './pool.js'
import { commentOf, issueOf, order } from './stamped.js'

// The payloads have the REST shape of the plain JSON media type; other media types (full+json's
// body_html, text-match) carry what they lack.
const PLAIN = /^(?:application\/(?:vnd\.github(?:\.v3)?\+json|json))?$/i

/** The entry answering `value` instead, under its old headers (and ETag: a later revalidation then gets the new one). */
function withBody (entry: Entry, value: unknown, checkedAt: number): Entry {
  const body = Buffer.from(JSON.stringify(value))
  const headers: Record<string, string> = {}
  for (const [name, v] of entry.answer.headers) headers[name] = v
  if (headers['content-length'] !== undefined) headers['content-length'] = String(body.byteLength)
  return { ...entry, answer: { status: entry.answer.status, headers: new RecordHeaders(headers), body }, checkedAt }
}

function query (url: string): URLSearchParams | null {
  try {
    const q = new URL(url).searchParams
    return [...q.keys()].every((k) => q.getAll(k).length === 1) ? q : null
  } catch {
    return null
  }
}

const DIGITS = /^\d{1,6}$/

/** The state filter of an issue list whose order the change cannot affect (sorted by creation), else null. */
function listState (url: string): string | null {
  const q = query(url)
  if (q === null) return null
  const state = q.get('state') ?? 'open'
  const known = [...q].every(([k, v]) =>
    (k === 'state' && ['open', 'closed', 'all'].includes(v)) || ((k === 'per_page' || k === 'page') && DIGITS.test(v)) ||
    (k === 'sort' && v === 'created') || (k === 'direction' && (v === 'asc' || v === 'desc')))
  return known ? state : null
}

function commentPaging (url: string): { page: number, perPage: number } | null {
  const q = query(url)
  if (q === null || ![...q].every(([k, v]) => (k === 'per_page' || k === 'page') && DIGITS.test(v))) return null
  const per = Number(q.get('per_page') ?? 0)
  return { page: Math.max(1, Number(q.get('page') ?? 1)), perPage: per > 0 ? Math.min(per, 100) : 30 }
}

const hasNext = (link: string | null) => (link ?? '').split(',').some((part) => /;\s*rel="(?:[^"]*\s)?next(?:\s[^"]*)?"/.test(part))

function issuePatch (entry: Entry, c: IssueChange, now: number): Verdict {
  if (isGone(c.action) || entry.url.includes('?')) return 'stale'
  const news = issueOf(c.issue)
  const old = issueOf(jsonOf(entry.answer.body))
  if (news === null || old === null || news.id !== old.id || news.number !== c.number) return 'stale'
  // The payload is the whole answer: as good as GitHub's own 200, as of now.
  const o = order(news, old, 'issue')
  return o === 'newer' ? withBody(entry, news.raw, now) : o === 'same' ? { ...entry, checkedAt: now } : o === 'older' ? 'keep' : 'stale'
}

function listPatch (entry: Entry, c: IssueChange): Verdict {
  const state = listState(entry.url)
  const page = jsonOf(entry.answer.body)
  if (state === null || isGone(c.action) || !Array.isArray(page)) return 'stale'
  const at = page.findIndex((e) => isRecord(e) && e.number === c.number)
  // Not on this page: it cannot have come onto it unless its state changed (or it is new).
  if (at === -1) return maybeMoved(c.action) ? 'stale' : 'keep'
  const news = issueOf(c.issue)
  const old = issueOf(page[at])
  if (news === null || old === null || news.id !== old.id || news.created !== old.created || (state !== 'all' && news.state !== state)) return 'stale'
  const o = order(news, old, 'issue')
  if (o === 'unsure') return 'stale'
  if (o !== 'newer') return 'keep'
  const next = page.slice()
  next[at] = news.raw
  // The rest of the page is only as recent as GitHub's last answer: the check time stays.
  return withBody(entry, next, entry.checkedAt)
}

function commentsPatch (entry: Entry, c: IssueChange): Verdict {
  if (isGone(c.action)) return 'stale'
  if (!c.action.startsWith('comment_')) return keepsComments(c.action) ? 'keep' : 'stale'
  const paging = commentPaging(entry.url)
  const page = jsonOf(entry.answer.body)
  const news = commentOf(c.comment)
  if (paging === null || !Array.isArray(page) || news === null || (c.action !== 'comment_created' && c.action !== 'comment_edited')) return 'stale'
  const at = page.findIndex((e) => isRecord(e) && e.id === news.id)
  if (at !== -1) {
    const old = commentOf(page[at])
    const o = old === null ? 'unsure' : order(news, old, 'comment')
    if (o === 'unsure') return 'stale'
    if (o !== 'newer') return 'keep'
    const next = page.slice()
    next[at] = news.raw
    return withBody(entry, next, entry.checkedAt)
  }
  // A new comment sorts after every other: it lands on the last page, if that has room (else the
  // page count, in the Link header, changes). An edited one not on the page is not placed.
  if (c.action !== 'comment_created' || hasNext(entry.answer.headers.get('link'))) return 'stale'
  if (page.length >= paging.perPage || (page.length === 0 && paging.page > 1)) return 'stale'
  const last = page.length === 0 ? null : commentOf(page[page.length - 1])
  if (page.length > 0 && (last === null || last.id >= news.id || last.created > news.created)) return 'stale'
  // A page GitHub produced in the comment's second or later should already hold it: missing, it may
  // have been deleted since (a late delivery).
  const produced = Date.parse(entry.answer.headers.get('date') ?? '')
  if (!Number.isNaN(produced) && news.created <= produced) return 'stale'
  return withBody(entry, [...page, news.raw], entry.checkedAt)
}

/** What `c` does to a cached answer it touches (issue-change.ts `affected`). */
export function patchOf (entry: Entry, c: IssueChange, now: number): Verdict {
  // A stale answer stays stale: whatever else made it so is not known to be settled.
  if (entry.checkedAt === STALE) return 'keep'
  const area = `/repos/${c.repo}/issues`
  if (!entry.path.startsWith(area) || !PLAIN.test(entry.accept.trim())) return 'stale'
  const rest = entry.path.slice(area.length)
  if (rest === '') return listPatch(entry, c)
  if (rest === `/${c.number}`) return issuePatch(entry, c, now)
  if (rest === `/${c.number}/comments`) return commentsPatch(entry, c)
  return 'stale'
}

/** Applies `change` to the cache: patches what it can, marks the rest of what it touches stale. */
export function applyChange (cache: EtagCache, change: CacheChange, now: number): void {
  const c = change.issue
  cache.apply(affected(change), c === undefined ? undefined : (entry) => patchOf(entry, c, now))
}
