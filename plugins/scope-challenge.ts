import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type {} from './auth.js'
import type {} from './github.js'
import type {} from './oauth.js'
import { scopeShortfall } from '../src/auth/scope-challenge.js'

/**
 * MCP's step-up (authorization spec, "Scope Challenge Handling"): a tools/call that the caller's
 * OAuth access token does not allow is answered 403 with `WWW-Authenticate: Bearer
 * error="insufficient_scope", scope=…, resource_metadata=…` before the MCP layer sees it, so the
 * client can authorize again with the wider scope and retry. Tokens of both OAuth modes alike.
 *
 * API keys are left to the MCP layer's tool error: the challenge asks for a new access token from
 * the authorization server, which a key never came from and cannot get, and a client configured
 * with a key must never be pushed into OAuth.
 *
 * A preHandler hook: the tool's name is in the body, so this runs once the body is parsed, after
 * auth (the caller) and the rate limit (which counts the request).
 */
async function scopeChallenge (app: FastifyInstance) {
  const oauth = app.oauth
  if (oauth === null) return
  const { catalog } = app.github
  const kindOf = (tool: string) => catalog.tools.get(tool)?.spec.access

  app.addHook('preHandler', async (request, reply) => {
    const caller = request.apiKey
    if (request.method !== 'POST' || caller === null || caller.access.holder !== 'user') return
    const shortfall = scopeShortfall(request.body, caller.access, kindOf)
    if (shortfall === null) return
    const description = `${shortfall.tools.join(', ')} ${shortfall.tools.length === 1 ? 'needs' : 'need'} ` +
      `the ${shortfall.missing.join(' and ')} scope, which this access token was not granted`
    const scope = shortfall.scope.join(' ')
    request.log.info({ key: caller.name, tools: shortfall.tools, scope }, 'scope challenge: the access token lacks a scope')
    return reply.code(403)
      .header('www-authenticate', oauth.challenge('insufficient_scope', { scopes: shortfall.scope, description }))
      .send({ error: 'insufficient_scope', message: `${description}: authorize again with scope "${scope}"`, scope })
  })
}

export default fp(scopeChallenge, { name: 'scope-challenge', dependencies: ['auth', 'oauth', 'github'] })
