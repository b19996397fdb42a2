// How a domain area contributes to the catalog: a function of the shared GitHub client (and the
// domain's settings) that returns its tools, prompts, resource templates and completers. index.ts
// lists them all.
import type { CatalogSpec, TargetHook, ToolHints } from '../../mcp/catalog.js'
import type { GitHubApi } from '../upstream/client.js'

export type CatalogParts = Partial<Pick<CatalogSpec, 'tools' | 'prompts' | 'templates' | 'completers'>> & {
  /** A webhook said answers under these (lower-cased) API path prefixes changed: drop what was made from them. */
  invalidate?: (stale: readonly string[]) => void
}
/** What the operator configured that tools read (from the environment, through createGitHubDomain). */
export interface DomainSettings {
  /** batch_label_issues asks the user first when it names more issues than this (CONFIRM_BATCH_LABEL_OVER). */
  confirmBatchLabelOver: number
}
export type DomainModule = (gh: GitHubApi, settings: DomainSettings) => CatalogParts

/** Reads change nothing, so repeating them is harmless; GitHub is an open world. */
export const READ_HINTS: ToolHints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }

// Character caps for untrusted text: a full issue, a comment, and a body inside a list.
export const ISSUE_BODY_MAX = 8000
export const COMMENT_BODY_MAX = 2000
export const LIST_BODY_MAX = 300

/**
 * The repository a call touches: every tool, prompt and resource template that reaches one names
 * it as `owner` + `repo`. The catalog checks it against the key's allowlist before any handler
 * runs and audits it as `repo`; search_issues names none and confines its query itself.
 */
export const REPOSITORY: TargetHook = {
  label: 'repo',
  of: (args) => typeof args.owner === 'string' && typeof args.repo === 'string' ? `${args.owner}/${args.repo}` : null,
}
