import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { ConfigError, type Config } from '../src/config.js'

type Timeouts = Pick<Config, 'HEADERS_TIMEOUT_MS' | 'REQUEST_TIMEOUT_MS' | 'KEEP_ALIVE_TIMEOUT_MS'>

/** Node refuses a headers timeout above the request timeout, which covers the headers too. */
export function timeoutProblems (config: Timeouts): string[] {
  return config.HEADERS_TIMEOUT_MS > config.REQUEST_TIMEOUT_MS
    ? [`HEADERS_TIMEOUT_MS (${config.HEADERS_TIMEOUT_MS}) must not exceed REQUEST_TIMEOUT_MS (${config.REQUEST_TIMEOUT_MS})`]
    : []
}

/**
 * Socket timeouts from config. Fastify builds the Node server before config is validated, so they
 * are set on it here, before it listens. Without them a client sending its body a byte at a time
 * holds a connection forever (Fastify's requestTimeout is 0).
 * Node checks these deadlines on an interval, not per socket; its default interval would let a
 * slow client overstay the bound by a large part of it, so the check runs a few times per bound.
 * The request timeout ends when the request has arrived: long tool calls and SSE streams are not
 * cut by it.
 */
async function timeouts (app: FastifyInstance) {
  const config = app.config
  const problems = timeoutProblems(config)
  if (problems.length > 0) throw new ConfigError(problems)
  const server = app.server
  server.headersTimeout = config.HEADERS_TIMEOUT_MS
  server.requestTimeout = config.REQUEST_TIMEOUT_MS
  server.keepAliveTimeout = config.KEEP_ALIVE_TIMEOUT_MS
  // Read by Node when the server starts listening.
  Object.assign(server, { connectionsCheckingInterval: Math.min(1000, Math.floor(config.HEADERS_TIMEOUT_MS / 4)) })
}

export default fp(timeouts, { name: 'timeouts', dependencies: ['env'] })
