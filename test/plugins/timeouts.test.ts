import t from 'tap'
import { connect } from 'node:net'
import { once } from 'node:events'
import Fastify from 'fastify'
import env, { ConfigError } from '../../plugins/env.js'
import timeouts from '../../plugins/timeouts.js'
import { build, KEY_A, type TestContext } from '../helper.js'

const GIVE_UP_MS = 10_000

/**
 * A socket that sends `head`, then `drip` one byte per tick; resolves with what it got and when
 * the server closed it. Gives up (and says so) after GIVE_UP_MS, so a missing bound fails fast.
 */
async function slowClient (port: number, head: string, drip: string, tickMs: number) {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const started = Date.now()
  let received = ''
  socket.on('data', (d) => { received += d })
  socket.on('error', () => {}) // a reset is one way of being cut off
  socket.write(head)
  let i = 0
  const ticker = setInterval(() => { if (!socket.destroyed && socket.writable) socket.write(drip[i++ % drip.length]) }, tickMs)
  const giveUp = setTimeout(() => { received += '[never closed by the server]'; socket.destroy() }, GIVE_UP_MS)
  await once(socket, 'close')
  clearInterval(ticker)
  clearTimeout(giveUp)
  return { received, afterMs: Date.now() - started }
}

async function listening (t: TestContext, vars: Record<string, string>) {
  const { app } = await build(t, vars)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as { port: number }).port
}


t.test('a client sending its headers a byte at a time is cut at HEADERS_TIMEOUT_MS', async (t) => {
  const port = await listening(t, { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '5000' })
  const { received, afterMs } = await slowClient(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 100)
  t.ok(afterMs >= 900 && afterMs < 3000, `closed after ${afterMs} ms`)
  t.match(received, /^HTTP\/1\.1 408 /, 'told why')
})

t.test('a client sending its body a byte at a time is cut at REQUEST_TIMEOUT_MS', async (t) => {
  const port = await listening(t, { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' })
  const head = `POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-API-Key: ${KEY_A}\r\nContent-Length: 1000\r\n\r\n`
  const { received, afterMs } = await slowClient(port, head, '{"jsonrpc":"2.0"', 100)
  t.ok(afterMs >= 1900 && afterMs < 4000, `closed after ${afterMs} ms`)
  t.match(received, /^HTTP\/1\.1 408 /)
})

t.test('idle keep-alive connections close at KEEP_ALIVE_TIMEOUT_MS', async (t) => {
  const port = await listening(t, { KEEP_ALIVE_TIMEOUT_MS: '1000' })
  const { received, afterMs } = await slowClient(port, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n', '', 1000_000)
  t.match(received, /^HTTP\/1\.1 200 [\s\S]*keep-alive: timeout=1/i)
  t.ok(afterMs >= 900 && afterMs < 3000, `closed after ${afterMs} ms`)
})

t.test('defaults, and a headers timeout above the request timeout is refused', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(env, { env: { GITHUB_TOKEN: 'x' } })
  await app.register(timeouts)
  await app.ready()
  t.equal(app.server.headersTimeout, 30000)
  t.equal(app.server.requestTimeout, 60000)
  t.equal(app.server.keepAliveTimeout, 72000)

  const bad = Fastify()
  t.teardown(() => bad.close())
  await bad.register(env, { env: { GITHUB_TOKEN: 'x', HEADERS_TIMEOUT_MS: '90000' } })
  const err = await bad.register(timeouts).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof ConfigError)
  t.same((err as ConfigError).problems, ['HEADERS_TIMEOUT_MS (90000) must not exceed REQUEST_TIMEOUT_MS (60000)'])
})
