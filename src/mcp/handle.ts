// Request handlers for a session's Server, registered with the SDK's public three-argument form:
// the params are checked with our schema, so a malformed request gets InvalidParams and one short
// line (the SDK's two-argument form answers it as -32603 Internal error).
import type { Server, ServerContext } from '@modelcontextprotocol/server'
import type * as z from 'zod/v4'

export function handle<P extends z.ZodType> (
  server: Server, method: string, params: P, handler: (params: z.infer<P>, ctx: ServerContext) => unknown,
): void {
  server.setRequestHandler(method, { params }, (parsed, ctx) => handler(parsed as z.infer<P>, ctx) as never)
}
