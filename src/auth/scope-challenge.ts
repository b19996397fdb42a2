// MCP's scope challenge (authorization spec, "Scope Challenge Handling"; RFC 6750 §3.1): which
// scopes a POST /mcp body needs that the caller's token does not grant. Read from the JSON-RPC
// body alone, so it is the same in both eras: a 2025 tools/call in a session, a 2026-07-28 one
// carrying its `_meta` envelope, and each call of a 2025-03-26 batch.
import type { AccessKind } from '../mcp/access.js'
import { SCOPES, SCOPE_FOR, type Access, type Scope } from './access.js'

export interface ScopeShortfall {
  /** The tools called that the token does not allow (catalog names only). */
  tools: string[]
  /** The scopes those tools need and the token lacks. */
  missing: Scope[]
  /**
   * What the challenge asks for: the missing scopes with those the token already holds. The
   * 2025-11-25 spec recommends this, as its clients may replace their scopes with the challenge's;
   * 2026-07-28 clients take the union themselves, and the extra scopes cost them nothing.
   */
  scope: Scope[]
}

/** The tool a JSON-RPC message calls; undefined for anything else (notifications included). */
function calledTool (message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined
  const { method, id, params } = message as { method?: unknown, id?: unknown, params?: unknown }
  if (method !== 'tools/call' || id === undefined || typeof params !== 'object' || params === null) return undefined
  const { name } = params as { name?: unknown }
  return typeof name === 'string' ? name : undefined
}

/**
 * Null when `access` allows every tool call in `body`. A batch is one HTTP request: it is refused
 * whole, and the challenge names what all of its calls need together. A tool the catalog does not
 * know (`kindOf` gives undefined) is left to the MCP layer's own answer.
 */
export function scopeShortfall (body: unknown, access: Access, kindOf: (tool: string) => AccessKind | undefined): ScopeShortfall | null {
  const tools = new Set<string>()
  const missing = new Set<Scope>()
  for (const message of Array.isArray(body) ? body : [body]) {
    const tool = calledTool(message)
    const kind = tool === undefined ? undefined : kindOf(tool)
    if (tool === undefined || kind === undefined || access.may(kind)) continue
    tools.add(tool)
    missing.add(SCOPE_FOR[kind])
  }
  if (tools.size === 0) return null
  return {
    tools: [...tools],
    missing: SCOPES.filter((s) => missing.has(s)),
    scope: SCOPES.filter((s) => missing.has(s) || access.scopes.has(s)),
  }
}
