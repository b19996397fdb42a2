// batch_label_issues: ADD labels to many issues (never replacing existing ones), a few at a time,
// reporting each issue's outcome and sending progress when the client asked for it. A batch over
// the configured size asks the user first where the client can.
import { Type } from '@sinclair/typebox'
import { defineTool } from '../../mcp/catalog.js'
import { ToolError } from '../../mcp/tool-errors.js'
import { explain } from '../presentation/errors.js'
import type { DomainModule } from './module.js'
import { fetchIssue } from '../upstream/queries.js'
import { IssueNumber, LabelName, RepoArgs, STRICT } from './schemas.js'
import { via } from '../upstream/credential.js'

const CONCURRENCY = 4

interface Failure { issue_number: number, reason: string }

function reasonOf (error: unknown): { reason: string, fatal: boolean } {
  if (error instanceof ToolError) return { reason: 'is a pull request, not an issue', fatal: false }
  const e = explain(error)
  if (e.status === 404) return { reason: 'not found', fatal: false }
  if (e.status === 410) return { reason: 'deleted (410 Gone)', fatal: false }
  // Credentials, permissions and rate limits fail every later issue the same way: stop there.
  return { reason: e.message, fatal: e.status === 401 || e.status === 403 || e.status === 429 || e.internal }
}

export const labels: DomainModule = (gh, settings) => ({
  tools: [
    defineTool({
      name: 'batch_label_issues',
      title: 'Add labels to several issues',
      description: 'Add the given labels to each listed issue, keeping every label the issue already has ' +
        '(labels missing from the repository are created by GitHub). Reports each issue\'s outcome, e.g. ' +
        '"2/3 labelled; #9999: not found". Sends progress notifications when the request carries a progressToken.',
      access: 'write',
      input: Type.Object({
        ...RepoArgs,
        issue_numbers: Type.Array(IssueNumber, { minItems: 1, maxItems: 25, uniqueItems: true, description: '1–25 issue numbers.' }),
        labels: Type.Array(LabelName, { minItems: 1, maxItems: 10, uniqueItems: true, description: '1–10 labels to add.' }),
      }, STRICT),
      output: Type.Object({
        repo: Type.String(),
        labels: Type.Array(Type.String()),
        labelled: Type.Array(Type.Integer()),
        failed: Type.Array(Type.Object({ issue_number: Type.Integer(), reason: Type.String() })),
        summary: Type.String(),
      }),
      hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
      // Many issues at once is where a mistaken call does the most to clean up: the user confirms first.
      needsConfirmation: (a) => a.issue_numbers.length > settings.confirmBatchLabelOver
        ? `Add ${a.labels.map((l) => `"${l}"`).join(', ')} to ${a.issue_numbers.length} issues in ${a.owner}/${a.repo} ` +
          `(${a.issue_numbers.map((n) => `#${n}`).join(', ')})?`
        : undefined,
      async run (a, ctx) {
        const total = a.issue_numbers.length
        const labelled = new Set<number>()
        const failed = new Map<number, string>()
        let next = 0
        let stop: string | null = null
        const worker = async (): Promise<void> => {
          while (next < total && stop === null && !ctx.signal.aborted) {
            const n = a.issue_numbers[next++]
            try {
              await fetchIssue(gh, a.owner, a.repo, n, via(ctx)) // refuses pull requests, 404s early
              await gh.rest.issues.addLabels({ owner: a.owner, repo: a.repo, issue_number: n, labels: a.labels, request: via(ctx) })
              labelled.add(n)
              await ctx.log('debug', `#${n} labelled`)
            } catch (error) {
              const { reason, fatal } = reasonOf(error)
              failed.set(n, reason)
              if (fatal) stop = `stopped after #${n}: ${reason}`
              await ctx.log('warning', `#${n}: ${reason}`)
            }
            await ctx.progress(labelled.size + failed.size, total, `#${n} ${labelled.has(n) ? 'labelled' : 'failed'}`)
          }
        }
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, total) }, worker))
        for (const n of a.issue_numbers) if (!labelled.has(n) && !failed.has(n)) failed.set(n, stop ?? 'not attempted (cancelled)')

        const failures: Failure[] = a.issue_numbers.filter((n) => failed.has(n)).map((n) => ({ issue_number: n, reason: failed.get(n) ?? '' }))
        const summary = [`${labelled.size}/${total} labelled`, ...failures.map((f) => `#${f.issue_number}: ${f.reason}`)].join('; ')
        return {
          text: `${summary}\nLabels added: ${a.labels.join(', ')} (existing labels kept).`,
          data: {
            repo: `${a.owner}/${a.repo}`, labels: a.labels, labelled: a.issue_numbers.filter((n) => labelled.has(n)),
            failed: failures, summary,
          },
        }
      },
    }),
  ],
})
