// An MCP client's web host for Client ID Metadata Documents: HTTPS on loopback with a test
// certificate (fixtures/loopback-*.pem, self-signed for localhost, 127.0.0.1 and ::1, valid
// 2000–2100), answering each path as a test says and counting what was asked.
//
// oidc-provider fetches these documents through its own undici Agent, which drops any connection
// to a special-use address, loopback included (SSRF defence, the CIMD draft's §8.6): in production
// this host would be unreachable, as it should be. The gateway has no switch to relax that, so no
// configuration can turn it off; the tests relax it here instead, for this host's origin only, by
// leaving that one Agent out of the fetch options. Everything else the provider sets (its timeout
// signal, `redirect: 'manual'`, its headers) reaches the real fetch unchanged. `guarded: true`
// keeps the guard, to show it refuses the host.
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import tls from 'node:tls'
import type { TestContext } from '../helper.js'

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')
const cert = fixture('loopback-cert.pem')
const key = fixture('loopback-key.pem')

// Node ≥ 22.19 has these; the project's @types/node predates them.
const ca = tls as unknown as { getCACertificates (which: 'default'): string[], setDefaultCACertificates (certs: string[]): void }
let trusted = false
/** Every TLS client in this process (fetch, and the provider's Agent) trusts the test certificate. */
function trustTestCertificate (): void {
  if (trusted) return
  ca.setDefaultCACertificates([...ca.getCACertificates('default'), cert])
  trusted = true
}

/** How one path answers: a body (an object is sent as JSON), or a handler of its own. */
export type Route = { status?: number, headers?: Record<string, string>, body: unknown } | ((res: ServerResponse) => void)

export interface MetadataHost {
  origin: string
  /** Requests per path. */
  hits: Map<string, number>
  set (path: string, route: Route): void
  /** The full URL of a path on this host: a client_id. */
  url (path: string): string
}

const routedAround = new Set<string>()
let originalFetch: typeof fetch | undefined

function routeAroundSsrfGuard (origin: string): void {
  routedAround.add(origin)
  if (originalFetch !== undefined) return
  const real = originalFetch = globalThis.fetch
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit & { dispatcher?: unknown }) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (init?.dispatcher !== undefined && routedAround.has(new URL(url).origin)) {
      const { dispatcher: _guard, ...rest } = init
      return await real(input, rest)
    }
    return await real(input, init)
  }) as typeof fetch
}

export async function metadataHost (t: TestContext, opts: { guarded?: boolean } = {}): Promise<MetadataHost> {
  trustTestCertificate()
  const routes = new Map<string, Route>()
  const hits = new Map<string, number>()
  const server = createServer({ cert, key }, (req, res) => {
    const path = req.url ?? '/'
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const route = routes.get(path)
    if (route === undefined) { res.writeHead(404).end(); return }
    if (typeof route === 'function') { route(res); return }
    const body = typeof route.body === 'string' ? route.body : JSON.stringify(route.body)
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }))
  const origin = `https://127.0.0.1:${(server.address() as { port: number }).port}`
  if (opts.guarded !== true) {
    routeAroundSsrfGuard(origin)
    t.teardown(() => {
      routedAround.delete(origin)
      if (routedAround.size === 0 && originalFetch !== undefined) { globalThis.fetch = originalFetch; originalFetch = undefined }
    })
  }
  return { origin, hits, set: (path, route) => routes.set(path, route), url: (path) => origin + path }
}
