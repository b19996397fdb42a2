// Routing a session's incoming messages without the SDK's per-message schema probing.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js'

type Route = (message: JSONRPCMessage, extra?: MessageExtraInfo) => void
interface ProtocolInternals { _onrequest?: Route, _onnotification?: Route, _onresponse?: Route }

/**
 * Call after `server.connect(transport)`. The SDK's router tries the result, error, request and
 * notification schemas in turn on every message: two failing zod parses before each request is
 * recognised (~5 % of a get_issue's CPU with the other zod work around it). Every message this
 * gateway delivers was already checked against the SDK schema of its own kind (src/mcp/http.ts),
 * or built here (cancellations), so its kind is known and it goes straight to the Protocol's
 * request, notification or response path. With an SDK whose internals differ, the SDK's own
 * router stays in place.
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
