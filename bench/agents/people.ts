// "People" editing issues on GitHub while the agents work: a few times a second one hot issue gets
// a new body or a new comment, so its ETag (and the list's) changes as on a busy repository. The
// edits go to the stand-in's data directly: other people's edits spend nobody's quota here.
import type { SeedData, SeedRepo } from '../../sandbox/seed.js'
import { FLEET } from './seed.js'
import { random } from './workload.js'

const githubNow = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

/** One edit: every third adds a comment, the others rewrite the body; both bump updated_at. */
export function editOnce (repo: SeedRepo, edit: number, pick: () => number, commentId: number): void {
  const issue = repo.issues[Math.floor(pick() * repo.issues.length)]
  const now = githubNow()
  if (edit % 3 === 2) {
    issue.comments.push({ id: commentId, user: 'carol', body: `Still seen (edit ${edit}).`, created_at: now, updated_at: now, author_association: 'CONTRIBUTOR' })
  } else {
    issue.body = `${issue.body?.split('\n')[0] ?? ''}\nEdited by a person (edit ${edit}).`
  }
  issue.updated_at = now
  repo.updated_at = now
}

/** Starts the edits; returns the function that stops them. */
export function startPeopleEdits (data: SeedData, perSecond: number): () => void {
  const repo = data.repos.find((r) => r.owner === FLEET.owner && r.name === FLEET.repo)
  if (!repo) throw new Error('the agent seed has no fleet repository')
  const pick = random(0x9e0b1e)
  let edit = 0
  const timer = setInterval(() => { editOnce(repo, edit, pick, 80_000_000 + edit); edit++ }, 1000 / perSecond)
  timer.unref()
  return () => clearInterval(timer)
}
