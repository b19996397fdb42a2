// What a verified webhook delivery changes: which cached GitHub answers are stale, which resource
// topics to notify, and which repository (or organization) it proves a live hook for. Payloads are
// read without trusting their shape (a field missing or odd makes the event change less, never
// throw): the signature proves who sent them, not that every field is what the schema promises.
// The issue (and comment) objects of `issues` and `issue_comment` deliveries travel with the change,
// bounded in size, so every replica can update its cached answers from them (patch-rules.ts).
import { count, isRecord, text, type Fields } from '../presentation/read.js'
import type { IssueChange } from '../upstream/issue-change.js'
import { Owner, Repo } from '../tools/schemas.js'
import { commentsTopic, issueTopic, openTopic, repoTopic } from './topics.js'

/** The events the gateway uses; the hook on GitHub must send all three (docs/webhooks.md). */
export const USED_EVENTS = ['issues', 'issue_comment', 'label'] as const

export interface Change {
  /** 'owner/repo' (lower-cased) the hook is proven live for; 'owner/*' for an organization hook's ping. */
  live: string | null
  /** API path prefixes (lower-cased, as the ETag cache keeps them) whose answers may be stale. */
  stale: string[]
  /** Resource-update topics to notify (topics.ts). */
  topics: string[]
  /** A ping whose hook does not send every used event: the cache cannot rely on it (missingEvents). */
  partialHook?: boolean
  /** What one issue of `live` now is: narrows `stale` there and lets cached answers be updated. */
  issue?: IssueChange
}

/** Largest issue and comment objects (as JSON) a change carries; beyond, answers are only marked stale. */
export const MAX_OBJECTS_JSON = 256 * 1024
const ACTION = /^[a-z_]{1,50}$/

// GitHub's own name rules (the tools' schemas): anything else is no repository of ours to touch.
const OWNER = new RegExp(Owner.pattern ?? '^$')
const REPO = new RegExp(Repo.pattern ?? '^$')

/** `owner` and `repo` of a repository object, when both are well-formed names. */
function repository (v: unknown): { owner: string, repo: string } | null {
  if (!isRecord(v)) return null
  const [owner, repo, ...rest] = (text(v.full_name) ?? '').split('/')
  return rest.length === 0 && repo !== undefined && OWNER.test(owner) && REPO.test(repo) ? { owner, repo } : null
}

/** What a change to repository `r` makes stale, beyond the topics: its issue area and every issue search. */
function staleIn (r: { owner: string, repo: string }, area: 'issues' | 'labels'): string[] {
  const base = `/repos/${r.owner}/${r.repo}`.toLowerCase()
  return area === 'labels' ? [`${base}/labels`, `${base}/issues`, '/search/issues'] : [`${base}/issues`, '/search/issues']
}

function issueNumber (payload: Fields): number | null {
  const n = isRecord(payload.issue) ? count(payload.issue.number) : null
  return n === null || n === 0 ? null : n
}

/** Pull requests share issue numbers (and issue_comment events) but are not issue:// resources. */
const isPullRequest = (payload: Fields) => isRecord(payload.issue) && payload.issue.pull_request != null

/** The issue change of an `issues` or `issue_comment` delivery; its objects left out when too large. */
function issueChange (event: string, payload: Fields, r: { owner: string, repo: string }, n: number | null): IssueChange | undefined {
  const action = text(payload.action)
  if (n === null || action === null || !ACTION.test(action)) return undefined
  const comment = event === 'issue_comment' ? payload.comment : undefined
  const fits = (JSON.stringify(payload.issue)?.length ?? 0) + (JSON.stringify(comment)?.length ?? 0) <= MAX_OBJECTS_JSON
  return {
    repo: `${r.owner}/${r.repo}`.toLowerCase(),
    number: n,
    action: event === 'issue_comment' ? `comment_${action}` : action,
    issue: fits ? payload.issue : undefined,
    comment: fits ? comment : undefined,
  }
}

/** An issue change as another replica sent it (broadcast.ts), or null when it is not one. */
export function readIssueChange (v: unknown): IssueChange | null {
  if (!isRecord(v)) return null
  const name = text(v.repo) ?? ''
  const [owner, repo, ...rest] = name.split('/')
  const number = count(v.number)
  const action = text(v.action)
  if (rest.length > 0 || repo === undefined || !OWNER.test(owner) || !REPO.test(repo) || name !== name.toLowerCase()) return null
  if (number === null || number === 0 || action === null || !ACTION.test(action)) return null
  return { repo: name, number, action, issue: v.issue, comment: v.comment }
}

function issuesChange (payload: Fields, r: { owner: string, repo: string }, n: number | null): Change {
  const topics = [openTopic(r.owner, r.repo)]
  const action = text(payload.action)
  if (n !== null) {
    topics.push(issueTopic(r.owner, r.repo, n))
    // The comments resource reads the issue too: it fails once the issue is gone or moved.
    if (action === 'deleted' || action === 'transferred') topics.push(commentsTopic(r.owner, r.repo, n))
  }
  const stale = staleIn(r, 'issues')
  // A transferred issue appears in the new repository too.
  const moved = action === 'transferred' && isRecord(payload.changes) ? repository(payload.changes.new_repository) : null
  if (moved !== null) {
    stale.push(...staleIn(moved, 'issues'))
    topics.push(openTopic(moved.owner, moved.repo))
  }
  const issue = issueChange('issues', payload, r, n)
  return { live: `${r.owner}/${r.repo}`.toLowerCase(), stale, topics, ...(issue === undefined ? {} : { issue }) }
}

/**
 * The change a delivery of `event` makes, or null when the gateway has no use for it (an event it
 * does not use, or a payload without a readable repository). `ping` proves the hook is live.
 */
export function changeOf (event: string, payload: unknown): Change | null {
  if (!isRecord(payload)) return null
  const r = repository(payload.repository)
  if (event === 'ping') {
    const partialHook = missingEvents(payload).length > 0
    if (r !== null) return { live: `${r.owner}/${r.repo}`.toLowerCase(), stale: [], topics: [], partialHook }
    // An organization hook's ping names the organization: it will send every repository's events.
    const org = isRecord(payload.organization) ? text(payload.organization.login) : null
    return org !== null && OWNER.test(org) ? { live: `${org.toLowerCase()}/*`, stale: [], topics: [], partialHook } : null
  }
  if (r === null) return null
  const n = issueNumber(payload)
  switch (event) {
    case 'issues':
      return issuesChange(payload, r, n)
    case 'issue_comment': {
      // Comments change the issue's comment count (in the issue and in lists) as well as its comments.
      const topics = n === null || isPullRequest(payload) ? [] : [commentsTopic(r.owner, r.repo, n), issueTopic(r.owner, r.repo, n), openTopic(r.owner, r.repo)]
      const issue = issueChange(event, payload, r, n)
      return { live: `${r.owner}/${r.repo}`.toLowerCase(), stale: staleIn(r, 'issues'), topics, ...(issue === undefined ? {} : { issue }) }
    }
    case 'label':
      // A label renamed, recoloured or deleted changes every issue that carries it: the whole repository.
      return { live: `${r.owner}/${r.repo}`.toLowerCase(), stale: staleIn(r, 'labels'), topics: [repoTopic(r.owner, r.repo)] }
    default:
      return null
  }
}

/** The used events a ping's hook does not send (its `hook.events`), so freshness cannot rely on it. */
export function missingEvents (payload: unknown): string[] {
  const hook = isRecord(payload) && isRecord(payload.hook) ? payload.hook : null
  const events = hook !== null && Array.isArray(hook.events) ? hook.events.filter((e) => typeof e === 'string') : null
  if (events === null || events.includes('*')) return []
  return USED_EVENTS.filter((e) => !events.includes(e))
}
