// "People" editing issues on GitHub while the agents work: a few times a second one hot issue gets
// a new body or a new comment, so its ETag (and the list's) changes as on a busy repository. The
// edits go to the stand-in's data directly: other people's edits spend nobody's quota here. With a
// webhook on, GitHub tells the hook about them as about any change (`onEdit`).
import type { SeedData, SeedIssue, SeedRepo } from '../../sandbox/seed.js'
import { FLEET } from './seed.js'
import { random } from './workload.js'

const githubNow = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

/**
 * One edit: every third adds a comment, the others rewrite the body; both bump updated_at.
 * Returns a copy of the issue as it was before.
 */
export function editOnce (repo: SeedRepo, edit: number, pick: () => number, commentId: number): SeedIssue {
  const issue = repo.issues[Math.floor(pick() * repo.issues.length)]
  const before = structuredClone(issue)
  const now = githubNow()
  if (edit % 3 === 2) {
    issue.comments.push({ id: commentId, user: 'carol', body: `Still seen (edit ${edit}).`, created_at: now, updated_at: now, author_association: 'CONTRIBUTOR' })
  } else {
    issue.body = `${issue.body?.split('\n')[0] ?? ''}\nEdited by a person (edit ${edit}).`
  }
  issue.updated_at = now
  repo.updated_at = now
  return before
}

/** Starts the edits (each one then passed to `onEdit`); returns the function that stops them. */
export function startPeopleEdits (data: SeedData, perSecond: number, onEdit?: (repo: SeedRepo, before: SeedIssue) => void): () => void {
  const repo = data.repos.find((r) => r.owner === FLEET.owner && r.name === FLEET.repo)
  if (!repo) throw new Error('the agent seed has no fleet repository')
  const pick = random(0x9e0b1e)
  let edit = 0
  const timer = setInterval(() => {
    const before = editOnce(repo, edit, pick, 80_000_000 + edit)
    edit++
    onEdit?.(repo, before)
  }, 1000 / perSecond)
  timer.unref()
  return () => clearInterval(timer)
}
