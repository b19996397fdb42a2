import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { LOOPBACK_HOSTS, isLoopback, list, type Config } from '../src/config.js'
import { memoizeRecent } from '../src/memo.js'

// DNS-rebinding defence: a page on evil.example that re-points its name at 127.0.0.1 reaches a
// loopback-bound gateway with `Host: evil.example`. Refusing unknown Host names stops it even
// when no Origin header is sent.

/** Splits a Host value into a lower-case name (IPv6 kept in brackets) and an optional port. */
export function parseHost (value: string): { name: string; port?: string } {
  const host = value.trim().toLowerCase()
  const bracketed = /^(\[[^\]]*\])(?::(\d*))?$/.exec(host)
  if (bracketed) return { name: bracketed[1], port: bracketed[2] || undefined }
  // A bare IPv6 literal (config entry "::1") has several colons and no port.
  if (host.split(':').length > 2) return { name: `[${host}]` }
  const [name, port] = host.split(':')
  return { name: name.replace(/\.$/, ''), port: port || undefined }
}

/**
 * The predicate for `Host` values: null when every host is accepted. Entries without a port
 * accept any port; "example.com:8443" accepts that port only; "*" accepts everything.
 */
export function hostMatcher (config: Pick<Config, 'ALLOWED_HOSTS' | 'HOST'>): ((host: string | undefined) => boolean) | null {
  const entries = config.ALLOWED_HOSTS !== undefined
    ? list(config.ALLOWED_HOSTS)
    : isLoopback(config.HOST) ? [...LOOPBACK_HOSTS] : ['*']
  if (entries.includes('*')) return null
  const allowed = entries.map(parseHost)
  const check = memoizeRecent((host) => {
    const { name, port } = parseHost(host)
    return allowed.some((a) => a.name === name && (a.port === undefined || a.port === port))
  })
  return (host) => host !== undefined && host !== '' && check(host)
}

async function hosts (app: FastifyInstance) {
  const allowed = hostMatcher(app.config)
  if (allowed === null) return
  app.addHook('onRequest', async (request, reply) => {
    // request.host is the Host header (or :authority), or X-Forwarded-Host when TRUST_PROXY
    // makes the proxy's word count: the name the client actually asked for either way.
    if (!allowed(request.host)) {
      request.log.info({ host: request.host }, 'refused: Host not allowed')
      return reply.code(403).send({ error: 'forbidden', message: 'Host not allowed' })
    }
  })
}

export default fp(hosts, { name: 'hosts', dependencies: ['env'] })
