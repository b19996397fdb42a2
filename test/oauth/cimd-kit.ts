// Authorization requests from clients known by a metadata document, against one gateway and one
// metadata host: each test serves a valid document changed in the one way it is about, and reads
// what the browser would get (the consent page, or the gateway's own error page) and what the
// gateway logged about it.
import { createHash, randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { CLIENT_REDIRECT, oauthGateway, type OAuthGateway } from './helpers.js'
import { metadataHost, type MetadataHost, type Route } from './metadata-host.js'

export interface Answer { status: number, location: string | null, error?: string, description?: string }

export interface CimdKit {
  gw: OAuthGateway
  host: MetadataHost
  /** A valid metadata document for `clientId`, with `extra` members changed. */
  doc (clientId: string, extra?: Record<string, unknown>): Record<string, unknown>
  /** A fresh path on the host serving `route` (a valid document for its own URL unless told). */
  serve (route?: (clientId: string) => Route): { path: string, clientId: string }
  authorize (clientId: string, extra?: Record<string, string>): Promise<Answer>
  proceeds (t: Test, a: Answer, what: string): void
  /** Refused on the gateway's error page (400), and not redirected anywhere. */
  refused (t: Test, a: Answer, error: string, description: RegExp | string, what: string): void
  /** Why the gateway logged it refused this client (what the operator sees). */
  loggedReason (clientId: string): string
}

export async function cimdKit (t: Test): Promise<CimdKit> {
  const logs: string[] = []
  const gw = await oauthGateway(t, {}, undefined, logs)
  const host = await metadataHost(t)
  const doc: CimdKit['doc'] = (clientId, extra = {}) => ({
    client_id: clientId, client_name: 'Fetched Client', redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: 'none', ...extra,
  })
  let n = 0
  return {
    gw,
    host,
    doc,
    serve (route) {
      const path = `/clients/${++n}.json`
      host.set(path, route === undefined ? { body: doc(host.url(path)) } : route(host.url(path)))
      return { path, clientId: host.url(path) }
    },
    async authorize (clientId, extra = {}) {
      const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url')
      const res = await fetch(`${gw.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code', client_id: clientId, redirect_uri: CLIENT_REDIRECT, scope: 'issues:read', state: 's',
        code_challenge: challenge, code_challenge_method: 'S256', resource: `${gw.url}/mcp`, ...extra,
      })}`, { redirect: 'manual' })
      const page = /<p><code>([^<]*)<\/code><\/p><p>([^<]*)<\/p>/.exec(await res.text())
      return { status: res.status, location: res.headers.get('location'), error: page?.[1], description: page?.[2] }
    },
    proceeds: (t, a, what) => { t.match(a, { status: 303, location: /\/oauth\/interaction\// }, `${what}: on to the consent page`) },
    refused: (t, a, error, description, what) => {
      t.match(a, { status: 400, location: null, error, description }, `${what}: ${error} on the error page, no redirect`)
    },
    loggedReason: (clientId) => logs.map((l) => JSON.parse(l) as { msg?: string, client?: string, reason?: string })
      .filter((l) => l.msg === 'oauth: authorization refused' && l.client === clientId).map((l) => l.reason).join('\n'),
  }
}
