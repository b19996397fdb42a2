import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

// Client errors Fastify raises before a handler runs, mapped to what an MCP client can act on.
const RPC_CODES: Record<string, { code: number; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: -32700, message: 'Parse error: invalid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: -32700, message: 'Parse error: empty body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: -32000, message: 'Request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: -32000, message: 'Unsupported Media Type: Content-Type must be application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: -32000, message: 'Content-Length does not match the body' }
}

/**
 * The one root error handler: logs with request context, hides 5xx internals, answers a stable
 * shape — a JSON-RPC error object on /mcp, `{ error, message }` elsewhere.
 */
async function errors (app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500
    const known = error.code ? RPC_CODES[error.code] : undefined
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ code: error.code, status }, error.message)
    const message = status >= 500 ? 'Internal server error' : (known?.message ?? error.message)
    if (request.url.startsWith('/mcp')) {
      const code = known?.code ?? (status >= 500 ? -32603 : -32000)
      return reply.code(status).send({ jsonrpc: '2.0', error: { code, message }, id: null })
    }
    return reply.code(status).send({ error: status >= 500 ? 'internal_error' : 'bad_request', message })
  })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'not_found', message: `Route ${request.method} ${request.url.split('?')[0]} not found` })
  })
}

export default fp(errors, { name: 'errors' })
