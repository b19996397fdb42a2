// prompts/get and resources/read: both answer with content or a clean JSON-RPC error
// (InvalidParams for bad or refused arguments, -32002 for unknown resources), never a stack.
import { ErrorCode, McpError, type GetPromptResult, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js'
import type { TObject } from '@sinclair/typebox'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import { allows, repoMatcher, repoRefusal } from './access.js'
import type { Catalog, RequestContext } from './catalog.js'
import { coerceStrings } from './coerce.js'
import { describeInvalid } from './tool-call.js'
import { ToolError } from './tool-errors.js'

/** MCP's code for "resource not found" (spec: resources, error handling). */
export const RESOURCE_NOT_FOUND = -32002

function checkedArgs (what: string, check: TypeCheck<TObject>, raw: Record<string, unknown> | undefined, ctx: RequestContext) {
  const args = coerceStrings(check.Schema(), raw)
  if (!check.Check(args)) throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for ${what}: ${describeInvalid(check, args)}`)
  if (typeof args.owner === 'string' && typeof args.repo === 'string') {
    const repo = `${args.owner}/${args.repo}`
    if (!repoMatcher(ctx.access)(repo)) throw new McpError(ErrorCode.InvalidParams, repoRefusal(repo))
  }
  return args
}

function protocolError (catalog: Catalog, error: unknown, kind: 'prompt' | 'resource'): Error {
  if (error instanceof McpError) return error
  if (error instanceof ToolError) return new McpError(ErrorCode.InvalidParams, error.message)
  return catalog.errors.protocolError(error, kind)
}

export async function getPrompt (
  catalog: Catalog, name: string, raw: Record<string, string> | undefined, ctx: RequestContext,
): Promise<GetPromptResult> {
  const prompt = catalog.prompts.get(name)
  if (prompt === undefined || !allows(ctx.access, 'read')) {
    throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name.slice(0, 64)}`)
  }
  const args = checkedArgs(`prompt ${name}`, prompt.check, raw, ctx)
  try {
    return await prompt.spec.get(args, ctx)
  } catch (error) {
    throw protocolError(catalog, error, 'prompt')
  }
}

export async function readResource (catalog: Catalog, uri: string, ctx: RequestContext): Promise<ReadResourceResult> {
  for (const template of catalog.templates) {
    const match = template.spec.pattern.exec(uri)
    if (match === null) continue
    if (!allows(ctx.access, 'read')) throw new McpError(ErrorCode.InvalidParams, 'This API key may not read issues.')
    const params = checkedArgs(`resource ${uri.slice(0, 200)}`, template.check, match.groups, ctx)
    try {
      const text = await template.spec.read(params, ctx)
      return { contents: [{ uri, mimeType: 'text/markdown', text }] }
    } catch (error) {
      throw protocolError(catalog, error, 'resource')
    }
  }
  throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri.slice(0, 200)}`, { uri: uri.slice(0, 200) })
}
