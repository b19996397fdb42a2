// What the HTTP layer hands to each MCP session: who is calling and what they may do.
import type { CallerAccess } from './access.js'

/** pino-compatible: only what the MCP layer calls. */
export interface Logger {
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
  error (obj: object, msg?: string): void
  debug (obj: object, msg?: string): void
  child (bindings: Record<string, unknown>): Logger
}

/** One per tool call, for the audit log and metrics: never arguments, bodies or secrets. */
export interface ToolCallEvent {
  tool: string
  key: string
  /** What the call touched, as the catalog's target hook names it (audited under its label). */
  target: string | null
  /** `declined`: the call needed the user's confirmation and did not get it, so nothing ran. */
  outcome: 'ok' | 'error' | 'refused' | 'declined'
  durationMs: number
  /** Joined an identical read-only call already in flight (shared-calls.ts): no run of its own. */
  shared: boolean
}

/** Who is calling, as the HTTP layer's authentication established it. */
export interface Caller {
  /** Stable, safe to log: sessions belong to it. */
  id: string
  /** Key identity (name or hash prefix), never the key itself. */
  name: string
  access: CallerAccess
}

export interface SessionContext {
  /** Key identity (name or hash prefix), never the key itself. */
  keyName: string
  /**
   * The caller's stable id (Caller.id): identical read-only calls are shared only under it, so
   * two callers whose names could match never share a run. Absent: keyName stands in.
   */
  keyId?: string
  access: CallerAccess
  logger: Logger
  onToolCall?: (event: ToolCallEvent) => void
  /** Offer resources/subscribe: something publishes resource updates and the session has a GET stream. */
  subscriptions?: boolean
}
