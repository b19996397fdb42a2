// GitHub's issue and comment objects as the cache compares them: read without trusting (an object
// without a readable id, creation and update time is not one), and ordered by `updated_at`. Deliveries
// can come late or out of order, so an object is newer only when its `updated_at` is later; the same
// second is ambiguous (GitHub's timestamps are to the second) unless both objects say the same.
import { count, isRecord, text, timestamp, type Fields } from '../presentation/read.js'

export interface Stamped { raw: Fields, id: number, created: number, updated: number }
export interface Issue extends Stamped { number: number, state: string }

function stamped (v: unknown): Stamped | null {
  if (!isRecord(v)) return null
  const id = count(v.id)
  const created = timestamp(v.created_at)
  const updated = timestamp(v.updated_at)
  return id === null || created === null || updated === null ? null : { raw: v, id, created: Date.parse(created), updated: Date.parse(updated) }
}

export function issueOf (v: unknown): Issue | null {
  const s = stamped(v)
  if (s === null || typeof s.raw.title !== 'string') return null
  const number = count(s.raw.number)
  const state = text(s.raw.state)
  return number === null || (state !== 'open' && state !== 'closed') ? null : { ...s, number, state }
}

export const commentOf = (v: unknown): Stamped | null => {
  const s = stamped(v)
  return s !== null && typeof s.raw.body === 'string' ? s : null
}

// What must be present on both sides before two objects of the same second count as the same.
const ISSUE_FIELDS = ['title', 'body', 'state', 'labels', 'assignees', 'comments', 'locked', 'milestone']
const COMMENT_FIELDS = ['body']

/** Every field both objects carry has the same value (one side may carry fields the other lacks). */
function agrees (a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true
  if (depth > 8 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => agrees(x, b[i], depth + 1))
  }
  const x = a as Fields
  const y = b as Fields
  return Object.keys(x).every((k) => !Object.hasOwn(y, k) || agrees(x[k], y[k], depth + 1))
}

export function order (news: Stamped, old: Stamped, kind: 'issue' | 'comment'): 'newer' | 'older' | 'same' | 'unsure' {
  if (news.updated !== old.updated) return news.updated > old.updated ? 'newer' : 'older'
  const both = (kind === 'issue' ? ISSUE_FIELDS : COMMENT_FIELDS).every((f) => Object.hasOwn(news.raw, f) && Object.hasOwn(old.raw, f))
  return both && agrees(news.raw, old.raw) ? 'same' : 'unsure'
}
