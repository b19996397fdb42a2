// completion/complete: suggestions for a prompt or resource-template argument. Completion is a
// typing aid, so an upstream failure, or a reference to something that does not exist, yields
// no suggestions rather than an error.
import { type CompleteRequest, type CompleteResult } from '@modelcontextprotocol/server'
import type { Catalog, RequestContext } from './catalog.js'
import type { Logger } from './session-context.js'

const MAX_VALUES = 100 // the spec's cap per response
const NONE: CompleteResult = Object.freeze({ completion: { values: [], total: 0, hasMore: false } })

function argumentsOf (catalog: Catalog, ref: CompleteRequest['params']['ref']): readonly string[] {
  if (ref.type === 'ref/prompt') {
    const prompt = catalog.prompts.get(ref.name)
    // An unknown reference has nothing to suggest: an empty completion, not an error. The spec's
    // -32602 here is a SHOULD; completion is a typing aid, and the official conformance suite
    // (completion-complete) asks any server to answer for a reference it does not define.
    if (prompt === undefined) return []
    return Object.keys(prompt.spec.args.properties)
  }
  const template = catalog.templates.find((t) => t.spec.uriTemplate === ref.uri)
  if (template === undefined) return []
  return Object.keys(template.spec.params.properties)
}

export async function complete (
  catalog: Catalog, params: CompleteRequest['params'], ctx: RequestContext, logger: Logger,
): Promise<CompleteResult> {
  const names = argumentsOf(catalog, params.ref)
  const { name, value } = params.argument
  const completer = catalog.completers.get(name)
  if (!names.includes(name) || completer === undefined || !ctx.access.may('read')) return NONE
  let candidates: string[]
  try {
    candidates = await completer.complete(value, params.context?.arguments ?? {}, ctx)
  } catch (error) {
    logger.debug({ argument: name, err: error instanceof Error ? error.message : String(error) }, 'completion failed')
    return NONE
  }
  const prefix = value.toLowerCase()
  const values = candidates.filter((c) => c.toLowerCase().startsWith(prefix))
  return { completion: { values: values.slice(0, MAX_VALUES), total: values.length, hasMore: values.length > MAX_VALUES } }
}
