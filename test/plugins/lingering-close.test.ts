import t from 'tap'
import { Agent, fetch } from 'undici'
import { connect, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import Fastify from 'fastify'
import lingeringClose from '../../plugins/lingering-close.js'
import { standin, testEnv, MCP_HEADERS, KEY_A, type TestContext } from '../helper.js'
import { freePort, runServer, waitReady } from '../spawn.js'

// Each test spawns processes; on a loaded machine the file needs more than the default budget.
t.setTimeout(300_000)

// The gateway in its own process: in one process the client's writes and the server's close
// take turns on one event loop and the race that loses the 413 never shows.
t.test('oversized POSTs on keep-alive connections all get their 413, none EPIPE', async (t) => {
  const gh = await standin(t)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const { child, output } = runServer({ ...testEnv(gh), PORT: String(port), RATE_LIMIT_MAX: '100000' })
  t.teardown(() => { child.kill('SIGKILL') })
  await waitReady(base)

  const dispatcher = new Agent({ connections: 10 }) // keep-alive pool, as fetch uses by default
  t.teardown(() => dispatcher.close())
  const body = Buffer.alloc(6 * 1024 * 1024, 'a') // six times the default BODY_LIMIT_BYTES
  const outcomes: Record<string, number> = {}
  const send = async () => {
    try {
      const res = await fetch(`${base}/mcp`, { method: 'POST', body, headers: { ...MCP_HEADERS, 'x-api-key': KEY_A }, dispatcher })
      const json = await res.json() as { error?: { message?: string } }
      const key = `${res.status} ${json.error?.message}`
      outcomes[key] = (outcomes[key] ?? 0) + 1
    } catch (err) {
      const key = String((err as { cause?: { code?: string } }).cause?.code ?? err)
      outcomes[key] = (outcomes[key] ?? 0) + 1
    }
  }
  // Ten clients, ten requests each.
  await Promise.all(Array.from({ length: 10 }, async () => { for (let i = 0; i < 10; i++) await send() }))
  t.same(outcomes, { '413 Request body too large': 100 }, output())

  const health = await fetch(`${base}/health/live`, { dispatcher })
  t.equal(health.status, 200, 'the gateway still serves afterwards')
})

/** A Fastify app with a small body limit and the plugin under the given bounds, listening. */
async function smallLimitApp (t: TestContext, bounds: { maxBytes?: number, maxMs?: number }) {
  const app = Fastify({ bodyLimit: 16 })
  await app.register(lingeringClose, bounds)
  app.post('/', async () => 'ok')
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return (app.server.address() as AddressInfo).port
}

/**
 * Sends an oversized POST and keeps sending `chunk` every `everyMs`, ignoring the answer and the
 * server's FIN (half-open), as a client that never reads would.
 */
async function neverStops (port: number, chunk: string, everyMs: number) {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  await once(socket, 'connect')
  let received = ''
  let answeredAt = 0
  socket.on('data', (d) => { received += d; answeredAt ||= Date.now() })
  socket.on('error', () => {})
  socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n')
  const ticker = setInterval(() => { if (socket.writable) socket.write(chunk) }, everyMs)
  const giveUp = setTimeout(() => socket.destroy(), 10_000)
  await new Promise((resolve) => socket.once('close', resolve)) // once() would reject on the expected EPIPE
  clearInterval(ticker)
  clearTimeout(giveUp)
  return { received, lingeredMs: Date.now() - answeredAt }
}

t.test('lingering is bounded in time: a client that keeps sending slowly is cut after maxMs', async (t) => {
  const port = await smallLimitApp(t, { maxMs: 500 })
  const { received, lingeredMs } = await neverStops(port, 'x', 50)
  t.match(received, /^HTTP\/1\.1 413 /)
  t.ok(lingeredMs >= 400 && lingeredMs < 3000, `cut ${lingeredMs} ms after the answer`)
})

t.test('lingering is bounded in bytes: a client that keeps sending fast is cut past maxBytes', async (t) => {
  const port = await smallLimitApp(t, { maxBytes: 64 * 1024, maxMs: 8000 })
  const { received, lingeredMs } = await neverStops(port, 'x'.repeat(16 * 1024), 5)
  t.match(received, /^HTTP\/1\.1 413 /)
  t.ok(lingeredMs < 5000, `cut ${lingeredMs} ms after the answer, well before the time bound`)
})
