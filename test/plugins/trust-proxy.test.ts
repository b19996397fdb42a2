import t, { type Test } from 'tap'
import { build, MCP_HEADERS, KEY_A } from '../helper.js'
import { proxyTrust } from '../../src/config.js'

// TRUST_PROXY decides which address the per-address brute-force limit counts.
const ping = { jsonrpc: '2.0', id: 1, method: 'ping' }

async function blockedAfterRotation (t: Test, trustProxy: string): Promise<number> {
  const { app } = await build(t, { TRUST_PROXY: trustProxy, AUTH_FAILURE_MAX: '1' })
  const send = (key: string, xff: string) => app.inject({
    method: 'POST', url: '/mcp', remoteAddress: '10.0.0.9', payload: ping,
    headers: { ...MCP_HEADERS, 'x-api-key': key, 'x-forwarded-for': xff }
  })
  t.equal((await send('wrong', '198.51.100.1, 203.0.113.5')).statusCode, 403)
  // The attacker rotates the part of X-Forwarded-For it controls (the leftmost entry).
  return (await send(KEY_A, '198.51.100.2, 203.0.113.5')).statusCode
}

t.test('a hop count believes only what the trusted proxies wrote', async (t) => {
  t.equal(await blockedAfterRotation(t, '1'), 429, 'client = the address the one proxy saw: rotation does not help')
  t.equal(await blockedAfterRotation(t, 'false'), 429, 'false: the socket peer counts, X-Forwarded-For is ignored')
  t.equal(await blockedAfterRotation(t, 'true'), 400, 'not blocked (400: no session, i.e. past auth): true believes the leftmost entry: only safe when clients cannot reach the gateway directly')
})

t.test('proxyTrust', async (t) => {
  t.same([0, 1, 2].map(proxyTrust('false')), [false, false, false])
  t.same([0, 1, 2].map(proxyTrust('2')), [true, true, false])
  t.same([0, 5].map(proxyTrust('true')), [true, true])
})
