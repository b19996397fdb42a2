// What the MCP layer asks about a caller, and nothing more. The policy behind the answers (which
// grants exist, what a target is, how a refusal is worded) belongs to whoever authenticated the
// caller: see src/auth/access.ts.

/** A handler either only reads or also changes something; tools declare which. */
export type AccessKind = 'read' | 'write'

export interface AccessPolicy {
  /** Whether the caller may use handlers of this kind at all; also decides what the lists show. */
  may (kind: AccessKind): boolean
  /** Whether the caller may touch `target`, as the catalog's target hook names it. */
  reaches (target: string): boolean
  /** Words for the model when may(kind) is false; `subject` names what was refused ("Tool x"). */
  refuseKind (subject: string, kind: AccessKind): string
  /** Words for the model when reaches(target) is false. */
  refuseTarget (target: string): string
}

/**
 * The access object handlers receive. The MCP layer only asks it the AccessPolicy questions; the
 * application registers the concrete type by declaration merging (as Fastify decorations are
 * declared), so a domain's handlers can read what else its policy holds without a cast.
 */
export interface AccessRegistry {}
export type CallerAccess = AccessRegistry extends { access: infer A extends AccessPolicy } ? A : AccessPolicy
