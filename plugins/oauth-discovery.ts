import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { oauthMode } from '../src/oauth/settings.js'

// OAuth-aware MCP clients (Claude Code, mcp-remote, SDK clients given an auth provider) that get
// a 401 without a key do not show its text: they look for OAuth metadata, find none, and try
// Dynamic Client Registration at POST /register. Whatever that answers is what the user reads.
// Until the gateway speaks OAuth, these routes answer with how to send an API key instead.
// Like the probes, they sit outside the /mcp scope: no key, no rate limit, no Host check.

// Short on purpose: some clients (mcp-remote) print the raw body, where it appears twice.
export const API_KEY_HELP =
  'This gateway uses API keys, not OAuth: configure your client to send the header "X-API-Key: <key>" or "Authorization: Bearer <key>".'

/**
 * One body for every route: `error`/`error_description` are what OAuth clients read (RFC 6749
 * and RFC 7591 error shape; the MCP SDK shows error_description), `message` is what clients that
 * read this gateway's usual `{ error, message }` shape show.
 */
function answer (reply: FastifyReply, status: number, error: string) {
  return reply.code(status).header('cache-control', 'no-store').send({
    error,
    error_description: API_KEY_HELP,
    message: API_KEY_HELP
  })
}

async function oauthDiscovery (app: FastifyInstance) {
  // With OAuth on, plugins/oauth.ts serves the real metadata and registration at these addresses.
  if (oauthMode(app.config) !== null) return
  // Discovery: 404 is what every client reads as "no OAuth metadata here" and moves on from.
  // A 200 would have to be valid metadata, promising an OAuth server that does not exist.
  const metadata = [
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/mcp',
    '/.well-known/oauth-authorization-server',
    '/.well-known/oauth-authorization-server/mcp',
    '/.well-known/openid-configuration',
    '/.well-known/openid-configuration/mcp',
    '/mcp/.well-known/openid-configuration'
  ]
  for (const url of metadata) app.get(url, async (_request, reply) => answer(reply, 404, 'not_found'))

  // Registration: an RFC 7591 error answer, so OAuth clients surface error_description. The
  // code is not one the SDK retries on (invalid_client would make it register again).
  // Its body is never read: whatever a client sends (or mis-sends) gets the same answer.
  await app.register(async function registration (scope) {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))
    scope.post('/register', async (_request, reply) => answer(reply, 400, 'registration_not_supported'))
  })
}

export default fp(oauthDiscovery, { name: 'oauth-discovery', dependencies: ['env'] })
