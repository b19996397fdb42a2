// tools/call against the shared catalog: access check, validation, target check, the user's
// confirmation where the tool needs it and the client can give it, run, audit.
// Refusals and bad arguments are isError results (MCP 2025-11-25: input validation errors are
// tool execution errors, so the model can read them and correct itself); only an unknown tool
// name is a protocol error.
import { Value } from '@sinclair/typebox/value'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import type { TObject } from '@sinclair/typebox'
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type InputRequiredResult } from '@modelcontextprotocol/server'
import type { Catalog, ToolContext } from './catalog.js'
import type { ToolOutput } from './catalog-types.js'
import type { Ask, Verdict } from './confirmation.js'
import type { SessionContext, ToolCallEvent } from './session-context.js'
import { AccessRefusal, ToolError } from './tool-errors.js'

const MAX_REPORTED_ERRORS = 3

function success (out: ToolOutput<unknown>): CallToolResult {
  return { content: [{ type: 'text', text: out.text }], structuredContent: out.data as Record<string, unknown> }
}

export function failure (message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true }
}

export function describeInvalid (check: TypeCheck<TObject>, value: unknown): string {
  const problems: string[] = []
  for (const e of check.Errors(value)) {
    const allowed = (e.schema as { enum?: unknown }).enum
    const message = Array.isArray(allowed) ? `Expected one of: ${allowed.join(', ')}` : e.message
    problems.push(`${e.path === '' ? '(arguments)' : e.path}: ${message}`)
    if (problems.length === MAX_REPORTED_ERRORS) break
  }
  return problems.join('; ')
}

/** Arguments are not validated yet when the target is read: a long one must not flood the log. */
const MAX_TARGET = 140

const NOT_DONE: Record<Exclude<Verdict, 'confirmed'>, string> = {
  declined: 'the user declined',
  cancelled: 'the user dismissed the question without answering',
  unconfirmed: 'the user did not tick the confirmation',
}

/**
 * An error result, as the tool's outputSchema allows no other shape without its data: nothing ran.
 * The question is quoted so the model can tell the user what was not done.
 */
function notDone (verdict: Exclude<Verdict, 'confirmed'>, question: string): CallToolResult {
  return failure(`Not done: ${NOT_DONE[verdict]} ("${question}"). Nothing was changed. ` +
    'Do not call again unless the user asks for it.')
}

/**
 * The audit line ('tool call') and the event of one call; also written for a 2026 call answered
 * from an identical one in flight (modern-calls.ts), which never reaches callTool.
 */
export function audit (catalog: Catalog, session: Pick<SessionContext, 'logger' | 'onToolCall'>, event: ToolCallEvent): void {
  const { tool, key, target, outcome, durationMs } = event
  session.logger.info({ tool, key, [catalog.target.label]: target, outcome, durationMs }, 'tool call')
  session.onToolCall?.(event)
}

/**
 * `ask`, when the client can answer a question (confirmation.ts): a call whose tool needs
 * confirmation then runs only once the user has confirmed it, and the result may be the
 * input-required result that asks. Without `ask` every call runs unasked.
 */
export async function callTool (
  catalog: Catalog, name: string, rawArgs: Record<string, unknown> | undefined,
  session: SessionContext, ctx: ToolContext, ask?: Ask,
): Promise<CallToolResult | InputRequiredResult> {
  const tool = catalog.tools.get(name)
  if (tool === undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name.slice(0, 64)}`)
  const started = performance.now()
  let shared = false
  const args = Value.Default(tool.spec.input, rawArgs ?? {}) as Record<string, unknown>
  const target = catalog.target.of(args)?.slice(0, MAX_TARGET) ?? null
  const finish = (outcome: ToolCallEvent['outcome'], result: CallToolResult): CallToolResult => {
    audit(catalog, session, { tool: name, key: session.keyName, target, outcome, durationMs: Math.round(performance.now() - started), shared })
    return result
  }

  if (!ctx.access.may(tool.spec.access)) return finish('refused', failure(ctx.access.refuseKind(`Tool ${name}`, tool.spec.access)))
  if (!tool.check.Check(args)) {
    return finish('error', failure(`Invalid arguments for ${name}: ${describeInvalid(tool.check, args)}. ` +
      'Fix these arguments and call the tool again.'))
  }
  if (target !== null && !ctx.access.reaches(target)) return finish('refused', failure(ctx.access.refuseTarget(target)))

  // The same caller, tool and arguments: what a confirmation is bound to and a shared run is keyed by.
  const call = `${session.keyId ?? session.keyName}\0${name}\0${JSON.stringify(args)}`
  const question = ask === undefined ? undefined : tool.spec.needsConfirmation?.(args)
  if (ask !== undefined && question !== undefined) {
    const verdict = await ask(call, question)
    // Not audited yet: the call is audited once, when it ends (confirmed and run, or not).
    if (typeof verdict !== 'string') return verdict
    if (verdict !== 'confirmed') return finish('declined', notDone(verdict, question))
  }

  const readOnly = tool.spec.hints.readOnlyHint === true
  // The same text means the same arguments; a different key order only misses a share.
  const shareKey = readOnly && ctx.tracksProgress !== true ? call : undefined
  try {
    shared = shareKey !== undefined && catalog.shared.inFlight(shareKey)
    const out = shareKey !== undefined
      ? await catalog.shared.run(shareKey, ctx, (sharedCtx) => tool.spec.run(args, sharedCtx))
      : await tool.spec.run(args, ctx)
    return finish('ok', success(out))
  } catch (error) {
    if (error instanceof AccessRefusal) return finish('refused', failure(error.message))
    if (error instanceof ToolError) return finish('error', failure(error.message))
    const mapped = catalog.errors.toolError(error)
    // A client that hung up cancelled the call: worth a debug line, not an error.
    if (mapped.internal && ctx.signal?.aborted === true) session.logger.debug({ tool: name, err: error }, 'tool call cancelled by the client')
    else if (mapped.internal) session.logger.error({ tool: name, err: error }, 'tool failed unexpectedly')
    return finish('error', failure(mapped.message))
  } finally {
    if (!readOnly) catalog.shared.forgetInFlight() // even a failed write may have landed
  }
}
