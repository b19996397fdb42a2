import t from 'tap'
import { Agent, fetch } from 'undici'
import { standin, testEnv, MCP_HEADERS, KEY_A } from '../helper.js'
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
