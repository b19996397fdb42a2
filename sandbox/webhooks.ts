// The stand-in's webhooks: like a repository hook on GitHub, it POSTs signed deliveries to a hook
// URL when its issues, comments or labels change. Each payload is GitHub's envelope (event,
// action, changes, repository, sender, organization) around the same REST objects the stand-in
// serves, which is what GitHub embeds too; the envelope's names come from
// @octokit/openapi-webhooks-types. Deliveries go out one at a time, in order, never blocking the
// API answer that caused them; a failed one is recorded, not retried.
import { randomUUID } from 'node:crypto'
import { sign } from '@octokit/webhooks-methods'
import type { components } from '@octokit/openapi-webhooks-types'
import { repoJson } from './payload-repo.js'
import { commentJson, findLabel, findUser, issueJson, labelJson, userJson, type Ctx } from './payloads.js'
import type { SeedComment, SeedIssue, SeedLabel, SeedRepo } from './types.js'

type W = components['schemas']
export type IssuesAction = W[
  'webhook-issues-opened' | 'webhook-issues-edited' | 'webhook-issues-closed' | 'webhook-issues-reopened' |
  'webhook-issues-labeled' | 'webhook-issues-unlabeled' | 'webhook-issues-assigned' | 'webhook-issues-unassigned'
]['action']
export type HookEvent = 'ping' | 'issues' | 'issue_comment' | 'label'

export interface HookTarget {
  /** Where deliveries go, e.g. http://127.0.0.1:3001/webhooks/github */
  url: string
  secret: string
}

export interface Delivery {
  id: string
  event: HookEvent
  action?: string
  /** The receiver's status, or 0 when it could not be reached. */
  status: number
}

// The events a sandbox hook sends, as a hook created for the gateway would (docs/webhooks.md).
const HOOK_EVENTS = ['issues', 'issue_comment', 'label']
const HOOK_ID = 1

export class SandboxHook {
  readonly deliveries: Delivery[] = []
  private queue: Promise<void> = Promise.resolve()

  constructor (private readonly ctx: Ctx, public target: HookTarget | null = null) {}

  /** Resolves once every delivery queued so far was answered (or failed). */
  idle (): Promise<void> { return this.queue }

  private envelope (repo: SeedRepo) {
    const org = findUser(this.ctx.data, repo.owner)
    return {
      repository: repoJson(this.ctx, repo, false),
      ...(org?.type === 'Organization' ? { organization: orgJson(this.ctx, repo.owner) } : {}),
      sender: userJson(this.ctx, this.ctx.data.viewer),
    }
  }

  /** GitHub pings a hook when it is created (and on request). */
  ping (repo: SeedRepo): void {
    const now = new Date().toISOString()
    const payload: Pick<W['webhook-ping'], 'zen' | 'hook_id'> & Record<string, unknown> = {
      zen: 'Keep it logically awesome.',
      hook_id: HOOK_ID,
      hook: {
        type: 'Repository', id: HOOK_ID, name: 'web', active: true, events: HOOK_EVENTS,
        config: { content_type: 'json', insecure_ssl: '0', url: this.target?.url ?? '' },
        updated_at: now, created_at: now,
      },
      ...this.envelope(repo),
    }
    this.send('ping', payload)
  }

  issues (repo: SeedRepo, issue: SeedIssue, action: IssuesAction, extra: Record<string, unknown> = {}): void {
    this.send('issues', { action, issue: issueJson(this.ctx, repo, issue), ...extra, ...this.envelope(repo) })
  }

  comment (repo: SeedRepo, issue: SeedIssue, comment: SeedComment): void {
    const action: W['webhook-issue-comment-created']['action'] = 'created'
    this.send('issue_comment', {
      action, issue: issueJson(this.ctx, repo, issue), comment: commentJson(this.ctx, repo, issue, comment), ...this.envelope(repo),
    })
  }

  label (repo: SeedRepo, label: SeedLabel): void {
    const action: W['webhook-label-created']['action'] = 'created'
    this.send('label', { action, label: labelJson(this.ctx, repo, label), ...this.envelope(repo) })
  }

  /** What changed in an issue between two copies of it, as the `issues` events GitHub sends. */
  issueChanged (repo: SeedRepo, before: SeedIssue, after: SeedIssue): void {
    if (before.title !== after.title || before.body !== after.body) {
      const changes: W['webhook-issues-edited']['changes'] = {}
      if (before.title !== after.title) changes.title = { from: before.title }
      if (before.body !== after.body) changes.body = { from: before.body ?? '' }
      this.issues(repo, after, 'edited', { changes })
    }
    if (before.state !== after.state) this.issues(repo, after, after.state === 'closed' ? 'closed' : 'reopened')
    const lower = (names: string[]) => new Set(names.map((n) => n.toLowerCase()))
    const had = lower(before.labels)
    const has = lower(after.labels)
    for (const name of after.labels) if (!had.has(name.toLowerCase())) this.labelEvent(repo, after, 'labeled', name)
    for (const name of before.labels) if (!has.has(name.toLowerCase())) this.labelEvent(repo, after, 'unlabeled', name)
    for (const login of after.assignees) if (!before.assignees.includes(login)) this.issues(repo, after, 'assigned', { assignee: userJson(this.ctx, login) })
    for (const login of before.assignees) if (!after.assignees.includes(login)) this.issues(repo, after, 'unassigned', { assignee: userJson(this.ctx, login) })
  }

  /**
   * What changed in an issue between two copies of it, new comments included: the deliveries for
   * an edit made to the data directly (someone else's edit on GitHub, not through the API).
   */
  issueEdited (repo: SeedRepo, before: SeedIssue, after: SeedIssue): void {
    this.issueChanged(repo, before, after)
    const known = new Set(before.comments.map((c) => c.id))
    for (const c of after.comments) if (!known.has(c.id)) this.comment(repo, after, c)
  }

  /**
   * Call before the stand-in handles a write; call what it returns with the answer's status: the
   * deliveries for what the write changed (issues opened or changed, comments, labels created).
   */
  observe (method: string, path: string): (status: number) => void {
    const m = /^\/repos\/([^/]+)\/([^/]+)\/issues(?:\/(\d+)(\/comments)?)?(?:\/labels)?\/?$/.exec(path)
    const repo = m === null || method === 'GET' || this.target === null
      ? undefined
      : this.ctx.data.repos.find((r) => r.owner.toLowerCase() === m[1].toLowerCase() && r.name.toLowerCase() === m[2].toLowerCase())
    if (m === null || repo === undefined) return () => {}
    const issues = new Set(repo.issues.map((i) => i.number))
    const labels = new Set(repo.labels.map((l) => l.id))
    const issue = m[3] === undefined ? undefined : repo.issues.find((i) => i.number === Number(m[3]))
    const before = issue === undefined ? undefined : structuredClone(issue)
    return (status) => {
      if (status < 200 || status >= 300) return
      for (const l of repo.labels) if (!labels.has(l.id)) this.label(repo, l)
      for (const i of repo.issues) if (!issues.has(i.number)) this.issues(repo, i, 'opened')
      if (issue === undefined || before === undefined) return
      if (m[4] !== undefined) {
        const known = new Set(before.comments.map((c) => c.id))
        for (const c of issue.comments) if (!known.has(c.id)) this.comment(repo, issue, c)
      } else {
        this.issueChanged(repo, before, issue)
      }
    }
  }

  private labelEvent (repo: SeedRepo, issue: SeedIssue, action: 'labeled' | 'unlabeled', name: string): void {
    const l = findLabel(repo, name)
    this.issues(repo, issue, action, l ? { label: labelJson(this.ctx, repo, l) } : {})
  }

  private send (event: HookEvent, payload: Record<string, unknown>): void {
    const target = this.target
    if (target === null) return
    const id = randomUUID()
    const body = JSON.stringify(payload)
    const action = typeof payload.action === 'string' ? payload.action : undefined
    this.queue = this.queue.then(async () => {
      let status = 0
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'GitHub-Hookshot/sandbox',
            'x-github-event': event,
            'x-github-delivery': id,
            'x-github-hook-id': String(HOOK_ID),
            'x-hub-signature-256': await sign(target.secret, body),
          },
          body,
          signal: AbortSignal.timeout(10_000), // GitHub gives a receiver 10 s
        })
        status = res.status
        await res.arrayBuffer()
      } catch {
        // unreachable receiver: recorded as status 0, as GitHub's delivery log shows a failure
      }
      this.deliveries.push({ id, event, ...(action === undefined ? {} : { action }), status })
    })
  }
}

function orgJson (ctx: Ctx, login: string) {
  const u = userJson(ctx, login)
  return {
    login: u.login, id: u.id, node_id: u.node_id, url: `${ctx.api}/orgs/${u.login}`,
    repos_url: `${ctx.api}/orgs/${u.login}/repos`, events_url: `${ctx.api}/orgs/${u.login}/events`,
    hooks_url: `${ctx.api}/orgs/${u.login}/hooks`, issues_url: `${ctx.api}/orgs/${u.login}/issues`,
    members_url: `${ctx.api}/orgs/${u.login}/members{/member}`, public_members_url: `${ctx.api}/orgs/${u.login}/public_members{/member}`,
    avatar_url: u.avatar_url, description: null,
  }
}
