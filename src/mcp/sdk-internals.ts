// Every place the gateway reaches past the SDK's public API, in one file. Each touch has a reason
// the public API cannot serve, and test/mcp/sdk-internals.test.ts fails when an SDK upgrade moves
// what it relies on (revisit all of them when moving to SDK v2).
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js'

export type RequestExtra = Parameters<Parameters<Server['setRequestHandler']>[1]>[1]
export type RouteSchema = Parameters<Protocol<never, never, never>['setRequestHandler']>[0]

/**
 * Registers through Protocol's setRequestHandler rather than Server's override. For tools/call the
 * override parses the request a second time and re-parses every result with zod, which returns a
 * copy: the catalog's results are frozen objects whose JSON is cached by identity (stable-json.ts),
 * so the copy would also cost their serialised-once answer. Results come from the catalog's typed
 * builders and are checked against each tool's outputSchema by the SDK client in the tests.
 */
export function registerRequestHandler (
  server: Server, route: RouteSchema, handler: (request: unknown, extra: RequestExtra) => unknown,
): void {
  const register = Protocol.prototype.setRequestHandler as (this: Server, s: RouteSchema, h: typeof handler) => void
  register.call(server, route, handler)
}

type Route = (message: JSONRPCMessage, extra?: MessageExtraInfo) => void
interface ProtocolInternals { _onrequest?: Route, _onnotification?: Route, _onresponse?: Route }

/**
 * Call after `server.connect(transport)`. The SDK's router tries the result, error, request and
 * notification schemas in turn on every message: two failing zod parses before each request is
 * recognised. Every message this gateway delivers was already checked against the SDK schema of
 * its own kind (src/mcp/http.ts), or built here (cancellations), so its kind is known and it goes
 * straight to the Protocol's request, notification or response path. With an SDK whose internals
 * differ, the SDK's own router stays in place (and the internals test fails).
 */
export function routeDirectly (server: Server, transport: Transport): boolean {
  const p = server as unknown as ProtocolInternals
  const { _onrequest: request, _onnotification: notification, _onresponse: response } = p
  if (typeof request !== 'function' || typeof notification !== 'function' || typeof response !== 'function') return false
  transport.onmessage = (message, extra) => {
    if (!('method' in message)) response.call(server, message)
    else if ('id' in message) request.call(server, message, extra)
    else notification.call(server, message)
  }
  return true
}
