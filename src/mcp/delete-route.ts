// DELETE /mcp: the client ends its session; later use of the id is 404.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { findSession, methodNotAllowed, refusedVersion, type RouteContext } from './route-checks.js'

export function deleteRoute (ctx: RouteContext) {
  return async function del (request: FastifyRequest, reply: FastifyReply) {
    if (ctx.stateless) return methodNotAllowed(reply)
    const session = findSession(ctx, request, reply)
    if (!session || refusedVersion(request, reply)) return reply
    await ctx.store.close(session.id)
    return reply.code(204).send()
  }
}
