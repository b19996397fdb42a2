// prompts/get and resources/read: both answer with content or a clean JSON-RPC error
// (InvalidParams for bad or refused arguments and for unknown resources), never a stack.
import { ProtocolError, ProtocolErrorCode, type GetPromptResult, type ReadResourceResult } from '@modelcontextprotocol/server'
import type { TObject } from '@sinclair/typebox'
import type { TypeCheck } from '@sinclair/typebox/compiler'
import type { Catalog, Compiled, RequestContext, ResourceTemplateSpec } from './catalog.js'
import { coerceStrings } from './coerce.js'
import { describeInvalid } from './tool-call.js'
import { ToolError } from './tool-errors.js'

/**
 * "Resource not found". MCP 2026-07-28 names -32602 (2025 revisions suggested -32002), and the
 * SDK sends -32602 in both eras: the `data` (the URI, or the upstream status) tells it apart.
 */
export const RESOURCE_NOT_FOUND = -32602

function checkedArgs (catalog: Catalog, what: string, check: TypeCheck<TObject>, raw: Record<string, unknown> | undefined, ctx: Pick<RequestContext, 'access'>) {
  const args = coerceStrings(check.Schema(), raw)
  if (!check.Check(args)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid arguments for ${what}: ${describeInvalid(check, args)}`)
  const target = catalog.target.of(args)
  if (target !== null && !ctx.access.reaches(target)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, ctx.access.refuseTarget(target))
  return args
}

function protocolError (catalog: Catalog, error: unknown, kind: 'prompt' | 'resource'): unknown {
  if (error instanceof ProtocolError) return error
  if (error instanceof ToolError) return new ProtocolError(ProtocolErrorCode.InvalidParams, error.message)
  return catalog.errors.protocolError(error, kind)
}

export async function getPrompt (
  catalog: Catalog, name: string, raw: Record<string, string> | undefined, ctx: RequestContext,
): Promise<GetPromptResult> {
  const prompt = catalog.prompts.get(name)
  // Prompts exist only for callers that may read (see Catalog): to others this one is unknown.
  if (prompt === undefined || !ctx.access.may('read')) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name.slice(0, 64)}`)
  }
  const args = checkedArgs(catalog, `prompt ${name}`, prompt.check, raw, ctx)
  try {
    return await prompt.spec.get(args, ctx)
  } catch (error) {
    throw protocolError(catalog, error, 'prompt')
  }
}

/**
 * The template a URI belongs to and its checked parameters, if the caller may read it: the one
 * decision behind resources/read and resources/subscribe.
 */
export function matchResource (catalog: Catalog, uri: string, ctx: Pick<RequestContext, 'access'>):
  { template: Compiled<ResourceTemplateSpec>, params: Record<string, unknown> } {
  const shown = uri.slice(0, 200)
  for (const template of catalog.templates) {
    const match = template.spec.pattern.exec(uri)
    if (match === null) continue
    if (!ctx.access.may('read')) throw new ProtocolError(ProtocolErrorCode.InvalidParams, ctx.access.refuseKind(`Resource ${shown}`, 'read'))
    return { template, params: checkedArgs(catalog, `resource ${shown}`, template.check, match.groups, ctx) }
  }
  throw new ProtocolError(RESOURCE_NOT_FOUND, `Resource not found: ${shown}`, { uri: shown })
}

export async function readResource (catalog: Catalog, uri: string, ctx: RequestContext): Promise<ReadResourceResult> {
  const { template, params } = matchResource(catalog, uri, ctx)
  try {
    const text = await template.spec.read(params, ctx)
    return { contents: [{ uri, mimeType: 'text/markdown', text }] }
  } catch (error) {
    throw withUri(protocolError(catalog, error, 'resource'), uri)
  }
}

/** A resource that is not there names its URI in `data`, whatever else the domain put there. */
function withUri (error: unknown, uri: string): unknown {
  if (!(error instanceof ProtocolError) || error.code !== RESOURCE_NOT_FOUND) return error
  const data = typeof error.data === 'object' && error.data !== null ? error.data : {}
  return new ProtocolError(error.code, error.message, { ...data, uri: uri.slice(0, 200) })
}
