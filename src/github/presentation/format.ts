// GitHub payload → trimmed object → short, predictable markdown. Every string a stranger wrote
// passes through sanitize.ts on the way.
import { deepFreeze } from '../../deep-freeze.js'
import { ISSUE_BODY_MAX } from '../tools/module.js'
import type { Comment, Issue } from './outputs.js'
import { capText, cleanLine, fence } from './sanitize.js'

/** The fields we read; both issue and search-result payloads satisfy it. */
export interface RawIssue {
  number: number
  title: string
  state: string
  state_reason?: string | null
  labels: Array<string | { name?: string | null }>
  user: { login: string } | null
  assignees?: Array<{ login: string }> | null
  comments: number
  created_at: string
  updated_at: string
  closed_at: string | null
  html_url: string
  body?: string | null
  repository_url: string
  pull_request?: unknown
}

export interface RawComment {
  id: number
  user: { login: string } | null
  author_association: string
  created_at: string
  updated_at: string
  html_url: string
  body?: string
}

/** GitHub's issue endpoints return pull requests too; issue tools must never show one as an issue. */
export const isPullRequest = (raw: { pull_request?: unknown }): boolean => raw.pull_request != null

export function repoOfUrl (repositoryUrl: string): string {
  return repositoryUrl.split('/').slice(-2).join('/')
}

export function toIssue (raw: RawIssue, bodyMax: number): Issue {
  return {
    repo: repoOfUrl(raw.repository_url),
    number: raw.number,
    title: cleanLine(raw.title),
    state: raw.state === 'closed' ? 'closed' : 'open',
    state_reason: raw.state_reason ?? null,
    labels: raw.labels.map((l) => cleanLine(typeof l === 'string' ? l : l.name ?? '', 50)).filter((l) => l !== ''),
    author: raw.user?.login ?? null,
    assignees: (raw.assignees ?? []).map((a) => a.login),
    comments: raw.comments,
    created_at: raw.created_at,
    updated_at: raw.updated_at,
    closed_at: raw.closed_at,
    url: raw.html_url,
    body: capText(raw.body, bodyMax, raw.html_url),
  }
}

export function toComment (raw: RawComment, bodyMax: number): Comment {
  return {
    id: raw.id,
    author: raw.user?.login ?? null,
    author_association: raw.author_association,
    created_at: raw.created_at,
    updated_at: raw.updated_at,
    url: raw.html_url,
    body: capText(raw.body, bodyMax, raw.html_url),
  }
}

const day = (iso: string | null): string => (iso === null ? '' : iso.slice(0, 10))

/** One line per issue, for lists. Titles are cleaned single lines; bodies are left out. */
export function issueLine (i: Issue): string {
  const labels = i.labels.length > 0 ? ` [${i.labels.join(', ')}]` : ''
  const who = i.author === null ? '' : ` by @${i.author}`
  return `- #${i.number} (${i.state}) ${i.title}${labels}${who}, ${i.comments} ${i.comments === 1 ? 'comment' : 'comments'}, updated ${day(i.updated_at)}`
}

/** Full view of one issue, body fenced as untrusted. */
export function issueMarkdown (i: Issue): string {
  const meta = [
    `State: ${i.state}${i.state_reason === null ? '' : ` (${i.state_reason})`}`,
    `Author: ${i.author === null ? 'ghost' : `@${i.author}`}`,
    `Labels: ${i.labels.length > 0 ? i.labels.join(', ') : 'none'}`,
    `Assignees: ${i.assignees.length > 0 ? i.assignees.map((a) => `@${a}`).join(', ') : 'none'}`,
    `Comments: ${i.comments}`,
    `Created: ${day(i.created_at)}, updated: ${day(i.updated_at)}${i.closed_at === null ? '' : `, closed: ${day(i.closed_at)}`}`,
    `URL: ${i.url}`,
  ]
  return `## ${i.repo}#${i.number}: ${i.title}\n${meta.join('\n')}\n\n${fence(`issue #${i.number} body`, i.body, Infinity)}`
}

/**
 * One issue's full view (markdown and the get_issue object), remembered per GitHub payload. A
 * revalidated read (304) hands back the very object the ETag cache holds (frozen, see MemoryBody),
 * so an unchanged issue is cleaned and formatted once; a changed one arrives as a new object, and
 * the old view goes when its payload is dropped.
 */
const issueViews = new WeakMap<RawIssue, { text: string, data: Issue }>()

export function issueAnswer (raw: RawIssue): { text: string, data: Issue } {
  let answer = issueViews.get(raw)
  if (answer === undefined) {
    const issue = toIssue(raw, ISSUE_BODY_MAX)
    answer = deepFreeze({ text: issueMarkdown(issue), data: issue })
    issueViews.set(raw, answer)
  }
  return answer
}

export function commentMarkdown (c: Comment): string {
  const who = c.author === null ? 'ghost' : `@${c.author}`
  return `### ${who} (${c.author_association.toLowerCase()}) on ${day(c.created_at)}\n${fence(`comment ${c.id} by ${who}`, c.body, Infinity)}`
}
