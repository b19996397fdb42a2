// GitHub payload → trimmed object → short, predictable markdown. Every string a stranger wrote
// passes through sanitize.ts on the way; every field is read through read.ts, so a payload with a
// field missing, null or of the wrong type still renders (as "unknown", "none" or null).
import { ToolError } from '../../mcp/tool-errors.js'
import { ISSUE_BODY_MAX } from '../tools/module.js'
import type { Comment, Issue } from './outputs.js'
import { count, isRecord, labelNames, list, login, text, timestamp, webUrl, type Fields } from './read.js'
import { capText, cleanLine, fence } from './sanitize.js'

/** An issue (or search result) as GitHub sent it: nothing in it is trusted until read. */
export type RawIssue = Fields
export type RawComment = Fields

/** What the caller already knows, used where the payload is silent: the repository asked about, its number. */
export interface IssueHint { repo?: string, number?: number, title?: string }

/** GitHub's issue endpoints return pull requests too; issue tools must never show one as an issue. */
export const isPullRequest = (raw: unknown): boolean => isRecord(raw) && raw.pull_request != null

const NAME = /^[A-Za-z0-9._-]{1,100}$/
const API_REPO = /\/repos\/([^/]+)\/([^/]+)\/?$/
const WEB_REPO = /^https?:\/\/[^/]+\/([^/]+)\/([^/]+)\/(?:issues|pull)\/\d+/

/** 'owner/repo' from the API URL, else from the web URL; null when neither names one plainly. */
export function repoOf (raw: Fields): string | null {
  for (const [v, pattern] of [[raw.repository_url, API_REPO], [raw.html_url, WEB_REPO]] as const) {
    const m = typeof v === 'string' ? pattern.exec(v) : null
    if (m !== null && NAME.test(m[1]) && NAME.test(m[2])) return `${m[1]}/${m[2]}`
  }
  return null
}

/** The trimmed issue, or null when the payload is not an issue (not an object, or no number, title or repository). */
export function toIssue (raw: unknown, bodyMax: number, hint: IssueHint = {}): Issue | null {
  if (!isRecord(raw)) return null
  const repo = repoOf(raw) ?? hint.repo ?? null
  const number = count(raw.number) ?? hint.number ?? null
  const title = text(raw.title) ?? hint.title ?? null
  if (repo === null || number === null || number === 0 || title === null) return null
  const closedAt = timestamp(raw.closed_at)
  const url = webUrl(raw.html_url)
  const assignees = Array.isArray(raw.assignees) ? raw.assignees : [raw.assignee] // older payloads: one assignee
  const reason = cleanLine(text(raw.state_reason), 30)
  return {
    repo,
    number,
    title: cleanLine(title),
    state: raw.state === 'closed' || (raw.state !== 'open' && closedAt !== null) ? 'closed' : 'open',
    state_reason: reason === '' ? null : reason,
    labels: labelNames(raw.labels),
    author: login(raw.user),
    assignees: list(assignees).map(login).filter((a) => a !== null),
    comments: count(raw.comments),
    created_at: timestamp(raw.created_at),
    updated_at: timestamp(raw.updated_at),
    closed_at: closedAt,
    url,
    body: capText(text(raw.body), bodyMax, url ?? undefined),
  }
}

/** The trimmed comment, or null when the payload is not an object. */
export function toComment (raw: unknown, bodyMax: number): Comment | null {
  if (!isRecord(raw)) return null
  const url = webUrl(raw.html_url)
  const association = cleanLine(text(raw.author_association), 30)
  return {
    id: count(raw.id),
    author: login(raw.user),
    author_association: association === '' ? null : association,
    created_at: timestamp(raw.created_at),
    updated_at: timestamp(raw.updated_at),
    url,
    body: capText(text(raw.body), bodyMax, url ?? undefined),
  }
}

const day = (iso: string | null): string => (iso === null ? 'unknown' : iso.slice(0, 10))
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** One line per issue, for lists. Titles are cleaned single lines; bodies are left out. */
export function issueLine (i: Issue): string {
  const labels = i.labels.length > 0 ? ` [${i.labels.join(', ')}]` : ''
  const who = i.author === null ? '' : ` by @${i.author}`
  const comments = i.comments === null ? '' : `, ${plural(i.comments, 'comment')}`
  const updated = i.updated_at === null ? '' : `, updated ${day(i.updated_at)}`
  return `- #${i.number} (${i.state}) ${i.title}${labels}${who}${comments}${updated}`
}

/** Full view of one issue, body fenced as untrusted. */
export function issueMarkdown (i: Issue): string {
  const meta = [
    `State: ${i.state}${i.state_reason === null ? '' : ` (${i.state_reason})`}`,
    `Author: ${i.author === null ? 'ghost' : `@${i.author}`}`,
    `Labels: ${i.labels.length > 0 ? i.labels.join(', ') : 'none'}`,
    `Assignees: ${i.assignees.length > 0 ? i.assignees.map((a) => `@${a}`).join(', ') : 'none'}`,
    `Comments: ${i.comments ?? 'unknown'}`,
    `Created: ${day(i.created_at)}, updated: ${day(i.updated_at)}${i.closed_at === null ? '' : `, closed: ${day(i.closed_at)}`}`,
    `URL: ${i.url ?? 'unknown'}`,
  ]
  return `## ${i.repo}#${i.number}: ${i.title}\n${meta.join('\n')}\n\n${fence(`issue #${i.number} body`, i.body, Infinity)}`
}

/** The clean tool error for a single issue GitHub answered with something that is not one. */
export function unreadableIssue (hint: IssueHint): ToolError {
  const what = hint.number === undefined ? 'the issue' : `issue #${hint.number}${hint.repo === undefined ? '' : ` in ${hint.repo}`}`
  return new ToolError(`GitHub's answer for ${what} could not be read (not an issue with a number and a title). ` +
    'Retry later; if it persists, GitHub or a proxy in front of it is sending an unexpected format.')
}

/** One issue's full view: markdown and the get_issue object. */
export function issueAnswer (raw: unknown, hint: IssueHint): { text: string, data: Issue } {
  const issue = isRecord(raw) ? toIssue(raw, ISSUE_BODY_MAX, hint) : null
  if (issue === null) throw unreadableIssue(hint)
  return { text: issueMarkdown(issue), data: issue }
}

export function commentMarkdown (c: Comment): string {
  const who = c.author === null ? 'ghost' : `@${c.author}`
  const role = c.author_association === null ? '' : ` (${c.author_association.toLowerCase()})`
  const when = c.created_at === null ? '' : ` on ${day(c.created_at)}`
  return `### ${who}${role}${when}\n${fence(`comment ${c.id === null ? '' : `${c.id} `}by ${who}`, c.body, Infinity)}`
}
