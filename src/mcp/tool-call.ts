// tools/call against the shared catalog: scope check, validation, repo allowlist, run, audit.
// Refusals and bad arguments are isError results (MCP 2025-11-25: input validation errors are
// tool execution errors, so the model can read them and correct itself); only an unknown tool
// name is a protocol error.
import { Value } from '@sinclair/typebox/value'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import type { TObject } from '@sinclair/typebox'
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { allows, repoMatcher, repoRefusal } from './access.js'
import type { Catalog, ToolContext } from './catalog.js'
import type { ToolOutput } from './catalog-types.js'
import { stable } from './stable-json.js'
import type { SessionContext, ToolCallEvent } from './session-context.js'
import { AccessRefusal, ToolError } from './tool-errors.js'

const MAX_REPORTED_ERRORS = 3

/** Results of frozen tool outputs: built and serialised once per output object. */
const remembered = new WeakMap<ToolOutput<unknown>, CallToolResult>()

function success (out: ToolOutput<unknown>): CallToolResult {
  const build = (): CallToolResult => ({ content: [{ type: 'text', text: out.text }], structuredContent: out.data as Record<string, unknown> })
  if (!Object.isFrozen(out)) return build()
  let result = remembered.get(out)
  if (result === undefined) {
    result = stable(build())
    remembered.set(out, result)
  }
  return result
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

/** 'owner/repo' when the arguments name one; the catalog checks it against the allowlist. */
function repoOf (args: Record<string, unknown>): string | null {
  if (typeof args.owner !== 'string' || typeof args.repo !== 'string') return null
  return `${args.owner}/${args.repo}`.slice(0, 140) // 39 + 1 + 100: an unvalidated name cannot flood the log
}

export async function callTool (
  catalog: Catalog, name: string, rawArgs: Record<string, unknown> | undefined,
  session: SessionContext, ctx: ToolContext,
): Promise<CallToolResult> {
  const tool = catalog.tools.get(name)
  if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name.slice(0, 64)}`)
  const started = performance.now()
  const args = Value.Default(tool.spec.input, rawArgs ?? {}) as Record<string, unknown>
  const repo = repoOf(args)
  const finish = (outcome: ToolCallEvent['outcome'], result: CallToolResult): CallToolResult => {
    const event: ToolCallEvent = {
      tool: name, key: session.keyName, repo, outcome, durationMs: Math.round(performance.now() - started),
    }
    session.logger.info(event, 'tool call')
    session.onToolCall?.(event)
    return result
  }

  if (!allows(ctx.access, tool.spec.access)) {
    const scope = tool.spec.access === 'read' ? 'issues:read' : 'issues:write'
    return finish('refused', failure(`Tool ${name} is not available to this API key: it needs the ${scope} scope.`))
  }
  if (!tool.check.Check(args)) {
    return finish('error', failure(`Invalid arguments for ${name}: ${describeInvalid(tool.check, args)}. ` +
      'Fix these arguments and call the tool again.'))
  }
  if (repo !== null && !repoMatcher(ctx.access)(repo)) return finish('refused', failure(repoRefusal(repo)))

  try {
    const out = await tool.spec.run(args, ctx)
    return finish('ok', success(out))
  } catch (error) {
    if (error instanceof AccessRefusal) return finish('refused', failure(error.message))
    if (error instanceof ToolError) return finish('error', failure(error.message))
    const mapped = catalog.errors.toolError(error)
    if (mapped.internal) session.logger.error({ tool: name, err: error }, 'tool failed unexpectedly')
    return finish('error', failure(mapped.message))
  }
}
