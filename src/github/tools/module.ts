// How a domain area contributes to the catalog: a function of the shared GitHub client that
// returns its tools, prompts, resource templates and completers. index.ts lists them all.
import type { CatalogSpec, ToolHints } from '../../mcp/catalog.js'
import type { GitHubApi } from '../upstream/client.js'

export type CatalogParts = Partial<Pick<CatalogSpec, 'tools' | 'prompts' | 'templates' | 'completers'>>
export type DomainModule = (gh: GitHubApi) => CatalogParts

/** Reads change nothing, so repeating them is harmless; GitHub is an open world. */
export const READ_HINTS: ToolHints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }

// Character caps for untrusted text: a full issue, a comment, and a body inside a list.
export const ISSUE_BODY_MAX = 8000
export const COMMENT_BODY_MAX = 2000
export const LIST_BODY_MAX = 300
