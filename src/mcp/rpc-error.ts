// JSON-RPC errors as clients should read them. The SDK's McpError writes "MCP error <code>: "
// into its own message, the SDK sends error.message as the wire message, and the client's McpError
// adds the prefix again: users saw "MCP error -32002: MCP error -32002: Not found". So the gateway
// throws RpcError (plain message), and every handler's McpError is unwrapped on the way out.
import { McpError } from '@modelcontextprotocol/sdk/types.js'

export class RpcError extends Error {
  override name = 'RpcError'
  constructor (readonly code: number, message: string, readonly data?: unknown) {
    super(message)
  }
}

/** What the SDK should send for `error`: an McpError's plain message, anything else as it is. */
export function plainRpcError (error: unknown): unknown {
  if (!(error instanceof McpError)) return error
  const prefix = `MCP error ${error.code}: `
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message
  return new RpcError(error.code, message, error.data)
}
