// GET /mcp: the session's standalone SSE stream, for server messages unrelated to a request.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { accepts, rpcError } from './http.js'
import { findSession, methodNotAllowed, refusedVersion, type RouteContext } from './route-checks.js'

export function getRoute (ctx: RouteContext) {
  return async function get (request: FastifyRequest, reply: FastifyReply) {
    if (ctx.stateless) return methodNotAllowed(reply)
    if (!accepts(request.headers.accept, 'text/event-stream')) {
      return rpcError(reply, 406, -32000, 'Not Acceptable: Accept must list text/event-stream')
    }
    const session = findSession(ctx, request, reply)
    if (!session || refusedVersion(request, reply)) return reply
    const stream = session.transport.openStandalone(reply)
    if (!stream) return rpcError(reply, 409, -32000, 'Conflict: this session already has an open GET stream')
    return reply.header('mcp-session-id', session.id).send(stream)
  }
}
