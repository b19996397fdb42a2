import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js'
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'
import * as z from 'zod/v4'

// One routing schema per method for the whole process: a zod object is several KiB, and
// building nine of them for every session was most of an idle session's memory.
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
 * multi-line dump of zod issues. Registered through Protocol (not Server's override), which for
 * tools/call would also parse the request twice and re-validate every result with zod (~5 % of a
 * get_issue's CPU in the benchmark); our results come from the catalog's typed builders and are
 * checked against each tool's outputSchema by the SDK client in the tests.
 */
export function handle<S extends z.ZodObject<{ method: z.ZodLiteral<string> }>> (
  server: Server, schema: S,
  handler: (request: z.infer<S>, extra: Parameters<Parameters<Server['setRequestHandler']>[1]>[1]) => unknown
): void {
  const method = schema.shape.method.value
  const route = routeSchema(method)
  const register = Protocol.prototype.setRequestHandler as (this: Server, s: typeof route, h: (r: unknown, e: Parameters<typeof handler>[1]) => unknown) => void
  register.call(server, route, (raw, extra) => {
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new McpError(ErrorCode.InvalidParams, `Invalid ${method} request: ${issue.path.join('.') || '(params)'}: ${issue.message}`)
    }
    return handler(parsed.data, extra)
  })
}
