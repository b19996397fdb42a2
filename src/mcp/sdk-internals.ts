// Every place the gateway reaches past the SDK's public API, in one file. Each touch has a reason
// the public API cannot serve, and test/mcp/sdk-internals.test.ts fails when an SDK upgrade moves
// what it relies on.
import { CallToolRequestParamsSchema } from '@modelcontextprotocol/core'
import {
  ProtocolError, ProtocolErrorCode, Server,
  type JSONRPCMessage, type JSONRPCRequest, type MessageExtraInfo, type Result, type ServerContext, type Transport,
} from '@modelcontextprotocol/server'

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
    else notification.call(server, message, extra)
  }
  return true
}

/**
 * The SDK's Server checks a tools/call request against its own schema before any handler runs,
 * and a malformed one goes out as a multi-line dump of zod issues. Server's `_wrapHandler` is the
 * hook the SDK documents for subclasses; here it only rewrites that one refusal, from the first
 * issue, as the other methods' refusals read (`Invalid params for <method>: <path>: <message>`).
 * Nothing changes on the success path.
 */
export class GatewayServer extends Server {
  protected override _wrapHandler (
    method: string, handler: (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>,
  ): (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result> {
    const wrapped = super._wrapHandler(method, handler)
    if (method !== 'tools/call') return wrapped
    return async (request, ctx) => {
      try {
        return await wrapped(request, ctx)
      } catch (error) {
        throw shortRefusal(error, request)
      }
    }
  }
}

function shortRefusal (error: unknown, request: JSONRPCRequest): unknown {
  if (!(error instanceof ProtocolError) || error.code !== ProtocolErrorCode.InvalidParams) return error
  if (!error.message.startsWith('Invalid tools/call request:')) return error
  const parsed = CallToolRequestParamsSchema.safeParse(request.params)
  if (parsed.success) return error
  const issue = parsed.error.issues[0]
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params for tools/call: ${issue.path.join('.') || '(params)'}: ${issue.message}`)
}
