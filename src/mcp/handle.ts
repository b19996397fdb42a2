// Request handlers for a session's Server: one short InvalidParams line for a malformed request,
// plain error messages on the wire (rpc-error.ts).
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import * as z from 'zod/v4'
import { plainRpcError, RpcError } from './rpc-error.js'
import { registerRequestHandler, type RequestExtra } from './sdk-internals.js'

// One routing schema per method for the whole process: a zod object is several KiB, and
// building one per method for every session was most of an idle session's memory.
const routes = new Map<string, z.ZodObject<{ method: z.ZodLiteral<string> }>>()
function routeSchema (method: string) {
  let route = routes.get(method)
  if (route === undefined) {
    route = z.looseObject({ method: z.literal(method) })
    routes.set(method, route)
  }
  return route
}

/**
 * Registers a request handler that answers a malformed request with InvalidParams and one short
 * line. The SDK's own path throws the zod error, which goes out as -32603 "Internal error" with a
 * multi-line dump of zod issues.
 */
export function handle<S extends z.ZodObject<{ method: z.ZodLiteral<string> }>> (
  server: Server, schema: S, handler: (request: z.infer<S>, extra: RequestExtra) => unknown,
): void {
  const method = schema.shape.method.value
  registerRequestHandler(server, routeSchema(method), (raw, extra) => {
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new RpcError(ErrorCode.InvalidParams, `Invalid ${method} request: ${issue.path.join('.') || '(params)'}: ${issue.message}`)
    }
    // Synchronous answers (the lists) stay synchronous: no extra promise on the hottest path.
    let result: unknown
    try {
      result = handler(parsed.data, extra)
    } catch (error) {
      throw plainRpcError(error)
    }
    return result instanceof Promise ? result.catch((error: unknown) => { throw plainRpcError(error) }) : result
  })
}
