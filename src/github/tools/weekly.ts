// The data behind weekly-summary: issues created, closed and updated in the last seven days, and
// open issues nobody has touched for thirty.
import type { GitHubApi } from '../upstream/client.js'
import { issueLine, toIssue } from '../presentation/format.js'
import { LIST_BODY_MAX } from './module.js'
import type { Issue } from '../presentation/outputs.js'
import { collectIssues } from '../upstream/queries.js'
import type { Call } from '../upstream/credential.js'
import { fence } from '../presentation/sanitize.js'
import { readEach, unreadableNote } from '../presentation/read.js'

const DAY = 86_400_000
const STALE_DAYS = 30

export interface Weekly {
  from: string
  to: string
  markdown: string
}

function section (title: string, issues: Issue[]): string {
  return `### ${title} (${issues.length})\n${issues.map(issueLine).join('\n') || '(none)'}`
}

export async function weeklyData (gh: GitHubApi, owner: string, repo: string, call: Call, now = Date.now()): Promise<Weekly> {
  const since = new Date(now - 7 * DAY).toISOString()
  const [week, oldest] = await Promise.all([
    collectIssues(gh, { owner, repo, state: 'all', limit: 100, sort: 'updated', direction: 'desc', since }, call),
    collectIssues(gh, { owner, repo, state: 'open', limit: 20, sort: 'updated', direction: 'asc' }, call),
  ])
  const weekStart = now - 7 * DAY
  const inWeek = (iso: string | null): boolean => iso !== null && Date.parse(iso) >= weekStart
  const read = (raws: readonly unknown[]) => readEach(raws, (raw) => toIssue(raw, LIST_BODY_MAX, { repo: `${owner}/${repo}` }))
  const { items: touched, unreadable: odd } = read(week.issues)
  const created = touched.filter((i) => inWeek(i.created_at))
  const closed = touched.filter((i) => inWeek(i.closed_at) && !inWeek(i.created_at))
  const updated = touched.filter((i) => !inWeek(i.created_at) && !closed.includes(i))
  const oldestRead = read(oldest.issues)
  // An issue whose last update GitHub did not say is not called stale.
  const stale = oldestRead.items.filter((i) => i.updated_at !== null && Date.parse(i.updated_at) < now - STALE_DAYS * DAY)
  const body = [
    section('New this week', created),
    section('Closed this week (opened earlier)', closed),
    section('Updated this week', updated),
    section(`Stale: open and untouched for ${STALE_DAYS}+ days`, stale),
  ].join('\n\n')
  const more = week.hasMore ? '\n\n(More than 100 issues changed this week; only the 100 most recent are listed.)' : ''
  return {
    from: since.slice(0, 10),
    to: new Date(now).toISOString().slice(0, 10),
    markdown: fence(`issue titles from ${owner}/${repo}`, body, Infinity) + unreadableNote(odd + oldestRead.unreadable) + more,
  }
}
