// Changing issues: create_issue, update_issue (closing asks the user first where the client can).
import { Type } from '@sinclair/typebox'
import { defineTool } from '../../mcp/catalog.js'
import { ToolError } from '../../mcp/tool-errors.js'
import { issueMarkdown, toIssue, unreadableIssue } from '../presentation/format.js'
import { isRecord } from '../presentation/read.js'
import { ISSUE_BODY_MAX, type DomainModule } from './module.js'
import { IssueOut, type Issue } from '../presentation/outputs.js'
import { fetchIssue } from '../upstream/queries.js'
import { Assignees, IssueBody, IssueNumber, LabelName, RepoArgs, STRICT, StringEnum, Title } from './schemas.js'
import { via } from '../upstream/credential.js'

/**
 * GitHub silently drops the labels and assignees of a write when the token lacks push access to
 * the repository (an assignee who cannot be assigned at all is a 422 instead); say so. A list
 * GitHub's answer does not carry proves nothing, so it is not compared.
 */
function dropped (a: { labels?: readonly string[], assignees?: readonly string[] }, issue: Issue, raw: unknown): string {
  const sent = (field: string) => isRecord(raw) && Array.isArray(raw[field])
  const missing = (field: string, asked: readonly string[] | undefined, got: readonly string[]) => {
    const have = new Set(got.map((x) => x.toLowerCase()))
    return sent(field) ? (asked ?? []).filter((x) => !have.has(x.toLowerCase())) : []
  }
  const labels = missing('labels', a.labels, issue.labels)
  const assignees = missing('assignees', a.assignees, issue.assignees).map((x) => `@${x}`)
  const lost = [...labels.map((l) => `label "${l}"`), ...assignees]
  return lost.length === 0 ? '' : `\nGitHub did not apply: ${lost.join(', ')} (the gateway's token likely lacks push access to this repository).`
}

function changes (before: Issue | null, after: Issue): string {
  if (before === null) return 'done (the issue as it was could not be read, so the changes are not listed)'
  const list = (xs: string[]) => (xs.length > 0 ? xs.join(', ') : 'none')
  const out: string[] = []
  if (before.title !== after.title) out.push(`title: "${after.title}"`)
  if (before.state !== after.state) out.push(`state: ${before.state} → ${after.state}`)
  if (before.body !== after.body) out.push('body replaced')
  if (list(before.labels) !== list(after.labels)) out.push(`labels: ${list(before.labels)} → ${list(after.labels)}`)
  if (list(before.assignees) !== list(after.assignees)) out.push(`assignees: ${list(before.assignees)} → ${list(after.assignees)}`)
  return out.length === 0 ? 'nothing changed (the issue already had these values)' : out.join('; ')
}

/** Closing is what the user confirms first (where the client can ask); the rest of the call is named too. */
function closeQuestion (a: { owner: string, repo: string, issue_number: number, title?: string, body?: string, labels?: string[], assignees?: string[] }): string {
  const also = (['title', 'body', 'labels', 'assignees'] as const).filter((field) => a[field] !== undefined)
  const rest = also.length === 0 ? '' : ` The same call also replaces its ${also.join(', ')}.`
  return `Close issue ${a.owner}/${a.repo}#${a.issue_number}?${rest}`
}

export const issuesWrite: DomainModule = (gh) => ({
  tools: [
    defineTool({
      name: 'create_issue',
      title: 'Create an issue',
      description: 'Open a new issue. Labels that do not exist yet are created by GitHub. If the gateway\'s token ' +
        'lacks push access, GitHub drops labels and assignees silently (the result says which). Not idempotent: ' +
        'calling twice opens two issues.',
      access: 'write',
      input: Type.Object({
        ...RepoArgs,
        title: Title,
        body: Type.Optional(IssueBody),
        labels: Type.Optional(Type.Array(LabelName, { minItems: 1, maxItems: 10, uniqueItems: true, description: '1–10 label names.' })),
        assignees: Type.Optional(Assignees),
      }, STRICT),
      output: IssueOut,
      hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      async run (a, ctx) {
        const { data } = await gh.rest.issues.create({
          owner: a.owner, repo: a.repo, title: a.title, body: a.body, labels: a.labels, assignees: a.assignees,
          request: via(ctx),
        })
        const issue = toIssue(data, ISSUE_BODY_MAX, { repo: `${a.owner}/${a.repo}`, title: a.title })
        if (issue === null) {
          // The issue exists now: the model must look before trying again, or it opens a second one.
          throw new ToolError(`GitHub created the issue in ${a.owner}/${a.repo}, but its answer could not be read ` +
            '(no issue number). Find it with list_issues before creating it again.')
        }
        return { text: `Created ${issue.repo}#${issue.number}.${dropped(a, issue, data)}\n\n${issueMarkdown(issue)}`, data: issue }
      },
    }),
    defineTool({
      name: 'update_issue',
      title: 'Update an issue',
      description: 'Change an issue\'s title, body, state, labels or assignees. Given fields REPLACE the current ' +
        'values: `labels` replaces the whole label set ([] removes all; to add labels without removing any use ' +
        'batch_label_issues) and `body` replaces the whole body. Omitted fields are left alone. Refuses pull requests.',
      access: 'write',
      input: Type.Object({
        ...RepoArgs,
        issue_number: IssueNumber,
        title: Type.Optional(Title),
        body: Type.Optional(IssueBody),
        state: Type.Optional(StringEnum(['open', 'closed'], { description: 'Close or reopen the issue.' })),
        labels: Type.Optional(Type.Array(LabelName, { maxItems: 10, uniqueItems: true, description: 'The complete new label set (0–10).' })),
        assignees: Type.Optional(Assignees),
      }, STRICT),
      output: IssueOut,
      hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
      needsConfirmation: (a) => a.state === 'closed' ? closeQuestion(a) : undefined,
      async run (a, ctx) {
        const { owner, repo, issue_number: n, ...fields } = a
        if (Object.keys(fields).length === 0) {
          throw new ToolError('Nothing to update: give at least one of title, body, state, labels, assignees.')
        }
        // Read first: the issues API edits pull requests too, and these tools must not.
        const hint = { repo: `${owner}/${repo}`, number: n }
        const before = toIssue(await fetchIssue(gh, owner, repo, n, via(ctx)), ISSUE_BODY_MAX, hint)
        const { data } = await gh.rest.issues.update({ owner, repo, issue_number: n, ...fields, request: via(ctx) })
        const issue = toIssue(data, ISSUE_BODY_MAX, { ...hint, title: fields.title ?? before?.title })
        if (issue === null) throw unreadableIssue(hint) // the update was applied; get_issue shows the result
        return {
          text: `Updated ${issue.repo}#${n}: ${changes(before, issue)}.${dropped(a, issue, data)}\n\n${issueMarkdown(issue)}`,
          data: issue,
        }
      },
    }),
  ],
})
