// Checks the GET, POST and DELETE routes share. Each either passes or has already answered.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SessionAdmission } from './admission.js'
import type { ModernEra } from './modern.js'
import { rpcError, unsupportedVersion } from './http.js'
import type { Caller } from './session-context.js'
import type { Session, SessionStore } from './session-store.js'

/** What every /mcp handler works with; built once by the plugin. */
export interface RouteContext {
  store: SessionStore
  admission: SessionAdmission
  /** The 2026-07-28 era: every request on its own, in either mode. */
  modern: ModernEra
  /** MCP_STATELESS: no sessions, a throwaway server per POST. */
  stateless: boolean
  /** The authenticated caller; the authentication hooks ahead of these routes established it. */
  callerOf: (request: FastifyRequest) => Caller
  /** Counts one incoming JSON-RPC message by method (metrics). */
  onMessage?: (method: string) => void
}

/** The caller's session, or undefined with the reply sent (400 without id, 404 unknown or another key's). */
export function findSession (ctx: RouteContext, request: FastifyRequest, reply: FastifyReply): Session | undefined {
  const id = request.headers['mcp-session-id']
  if (typeof id !== 'string' || id === '') {
    rpcError(reply, 400, -32000, 'Bad Request: Mcp-Session-Id header is required')
    return undefined
  }
  const session = ctx.store.get(id, ctx.callerOf(request).id)
  if (!session) rpcError(reply, 404, -32001, 'Session not found')
  return session
}

/** True when the reply was sent: an unsupported MCP-Protocol-Version is a 400. */
export function refusedVersion (request: FastifyRequest, reply: FastifyReply): boolean {
  const problem = unsupportedVersion(request.headers['mcp-protocol-version'])
  if (problem) rpcError(reply, 400, -32000, `Bad Request: ${problem}`)
  return problem !== undefined
}

export function methodNotAllowed (reply: FastifyReply) {
  return rpcError(reply.header('allow', 'POST'), 405, -32000, 'Method not allowed: this server is stateless (no sessions, no GET stream)')
}
