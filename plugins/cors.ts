import fp from 'fastify-plugin'
import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import { list } from '../src/config.js'
import { hostMatcher } from './hosts.js'

export const ALLOWED_HEADERS = ['Content-Type', 'Accept', 'Authorization', 'X-API-Key', 'Mcp-Session-Id', 'MCP-Protocol-Version', 'Mcp-Method', 'Mcp-Name', 'Last-Event-ID']
// Browsers hide every response header not listed here: without Mcp-Session-Id a browser client
// cannot continue its session, without the others it cannot react to 401 and 429.
export const EXPOSED_HEADERS = ['Mcp-Session-Id', 'MCP-Protocol-Version', 'WWW-Authenticate', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']

/** Origins compare as the browser serialises them: lower-case, no trailing slash. */
const normalise = (origin: string) => origin.trim().toLowerCase().replace(/\/+$/, '')

/** The predicate for a present Origin header, from ALLOWED_ORIGINS (`*` allows any). */
export function originMatcher (allowedOrigins: string): (origin: string) => boolean {
  const entries = list(allowedOrigins).map(normalise)
  if (entries.includes('*')) return () => true
  const allowed = new Set(entries)
  return (origin) => allowed.has(normalise(origin))
}

/**
 * Same-origin requests (Origin names the very host the request was sent to) are not
 * cross-site, so they pass without an ALLOWED_ORIGINS entry — but only where the Host header
 * itself is checked against an allowlist (plugins/hosts.ts). Otherwise a DNS-rebound page on
 * evil.example would be "same-origin" with `Host: evil.example`.
 */
export function sameOrigin (origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host.toLowerCase()
  } catch {
    return false
  }
}

async function cors (app: FastifyInstance) {
  const listed = originMatcher(app.config.ALLOWED_ORIGINS)
  const hostChecked = hostMatcher(app.config) !== null
  const allowed = (origin: string, host: string) => listed(origin) || (hostChecked && sameOrigin(origin, host))

  // The MCP spec requires refusing a request whose Origin is present and not allowed (a page on
  // another site driving a local gateway); @fastify/cors alone would only omit its headers.
  // Requests without Origin (non-browser clients) pass. Added before @fastify/cors's hook, so
  // this also refuses preflights from other origins.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin
    if (origin !== undefined && !allowed(origin, request.host)) {
      request.log.info({ origin }, 'refused: Origin not allowed')
      return reply.code(403).send({ error: 'forbidden', message: 'Origin not allowed' })
    }
  })

  // Every origin that reaches this point is allowed, so reflecting it is exact (and a `*`
  // configuration still answers with the requesting origin, as the contract asks).
  // The preflight is answered inside @fastify/cors's onRequest hook, which runs before the auth
  // hook registered after this plugin: a preflight never needs an API key.
  await app.register(fastifyCors, {
    origin: true,
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    // An OPTIONS without Access-Control-Request-Method is not a CORS preflight; strict mode would
    // answer it with a plain-text 400 (found by the fuzz test). Answer it like a preflight.
    strictPreflight: false
  })
}

export default fp(cors, { name: 'cors', dependencies: ['env'] })
