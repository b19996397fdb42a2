// What a change to one issue touches in the cache. A webhook delivery (or the gateway's own write)
// about issue N of o/r can change only o/r's issue lists, N's own answers and the repository-wide
// ones (`/issues/comments`, `/issues/events`), plus every search: another issue's answers stay as
// they are. The change also carries GitHub's new issue (and comment) objects, which
// patch-rules.ts uses to update the cached answers in place.
import { jsonOf, type Snapshot } from './pool.js'

/**
 * What a write to `path` may change, without knowing more: the repository area it touched
 * (`/repos/o/r/issues` for any issue, comment or label write) and every issue search.
 */
export function invalidatedBy (path: string): string[] {
  const m = /^\/repos\/[^/]+\/[^/]+\/[^/]+/.exec(path)
  return m === null ? [path] : [m[0], '/search/issues']
}

export interface IssueChange {
  /** 'owner/repo', lower-cased. */
  repo: string
  number: number
  /**
   * What happened: an `issues` action ('edited', 'closed', …), `comment_` and an `issue_comment`
   * action, or a write's own (writeChange below).
   */
  action: string
  /** The issue as GitHub now has it (REST shape), unread: patch-rules.ts reads it without trusting it. */
  issue: unknown
  /** The comment, for `comment_` actions. */
  comment: unknown
}

export interface CacheChange {
  /** API path prefixes (lower-cased) whose answers may be stale. */
  stale: readonly string[]
  /** Narrows `stale` under the issue's repository (only its lists and its own answers) and patches what it can. */
  issue?: IssueChange
}

/** `issues` actions after which the issue is listed where it was (lists sorted by creation), if it was. */
const ISSUE_IN_PLACE = [
  'edited', 'labeled', 'unlabeled', 'assigned', 'unassigned', 'milestoned', 'demilestoned', 'locked', 'unlocked',
  'pinned', 'unpinned', 'typed', 'untyped',
]
/** Those, a comment's, and a write that sends no state. */
const IN_PLACE = new Set([...ISSUE_IN_PLACE, 'comment_created', 'comment_edited', 'comment_deleted', 'write'])
/** `issues` actions that leave the issue's comments as they were. */
const COMMENTS_KEPT = new Set([...ISSUE_IN_PLACE, 'opened', 'closed', 'reopened'])

/** The issue no longer exists here: every answer about it is stale. */
export const isGone = (action: string) => action === 'deleted' || action === 'transferred'
/** The issue may have entered or left a list (opened, closed, reopened, gone, or an action not known). */
export const maybeMoved = (action: string) => !IN_PLACE.has(action)
export const keepsComments = (action: string) => COMMENTS_KEPT.has(action)

/**
 * Whether a cached answer for `path` may have changed. Holds only names and numbers, never the
 * change's objects: the cache remembers it a while for the reads in flight.
 */
export function affected (change: CacheChange): (path: string) => boolean {
  const stale = change.stale
  const broad = (path: string) => stale.some((p) => path.startsWith(p))
  if (change.issue === undefined) return broad
  const area = `/repos/${change.issue.repo}/issues`
  const number = change.issue.number
  return (path) => {
    if (path !== area && !path.startsWith(`${area}/`)) return broad(path)
    const numbered = /^\/(\d+)(?:\/|$)/.exec(path.slice(area.length))
    return numbered === null || Number(numbered[1]) === number
  }
}

// The writes whose effect is known: an issue edited, a comment posted, labels set or removed.
const ISSUE_WRITE = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)(\/comments|\/labels(?:\/[^/]+)?)?$/

/** Whether a PATCH body may change the issue's state (unreadable: it may). */
function sendsState (body: string | undefined): boolean {
  try {
    const v: unknown = JSON.parse(body ?? '')
    return typeof v !== 'object' || v === null || 'state' in v
  } catch {
    return true
  }
}

/**
 * What a write to `path` may have changed, whether it succeeded or not (a failed write may still
 * have landed). GitHub's answer to a successful `PATCH` of an issue is the issue as it now is,
 * which updates the cached answers as a delivery's issue does.
 */
export function writeChange (method: string, path: string, body: string | undefined, answer?: Snapshot): CacheChange {
  const stale = invalidatedBy(path)
  const m = ISSUE_WRITE.exec(path)
  const number = m === null ? 0 : Number(m[3])
  if (m === null || !Number.isSafeInteger(number) || number === 0) return { stale }
  const sub = m[4]
  let action: string
  if (sub === undefined) {
    if (method !== 'PATCH') return { stale }
    action = sendsState(body) ? 'write_state' : 'edited'
  } else if (sub === '/comments') {
    if (method !== 'POST') return { stale }
    action = 'write' // comments changed, and the issue's count: its answers and any list holding it
  } else {
    action = 'labeled'
  }
  const issue = sub === undefined && answer !== undefined && answer.status >= 200 && answer.status < 300 ? jsonOf(answer.body) : undefined
  return { stale, issue: { repo: `${m[1]}/${m[2]}`, number, action, issue, comment: undefined } }
}
