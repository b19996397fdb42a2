// The gateway under fuzz, in its own process (started with --expose-gc): a crash is seen as the
// process exiting, and its heap is measured without the fuzzer's own allocations mixed in.
// Talks to the test over IPC: 'ready' with the port, 'stats' on request, warn/error log lines.
import { Writable } from 'node:stream'
import { buildApp } from '../../src/app.js'

type Command = { type: 'stats' } | { type: 'close' }

const send = (message: unknown) => { process.send?.(message) }

// Warnings and errors only: a 5xx is logged at error level with its cause, which the test prints.
const logs = new Writable({
  write (chunk, _encoding, done) {
    send({ type: 'log', line: String(chunk).slice(0, 2000) })
    done()
  }
})

process.on('uncaughtException', (err) => {
  send({ type: 'crash', error: String(err?.stack ?? err) })
  process.exit(70)
})
process.on('unhandledRejection', (err) => {
  send({ type: 'crash', error: `unhandled rejection: ${String((err as Error)?.stack ?? err)}` })
  process.exit(70)
})

const env = JSON.parse(process.env.FUZZ_ENV ?? '{}') as Record<string, string>
const app = await buildApp({ env, logger: { level: 'warn', stream: logs } })
await app.listen({ port: 0, host: '127.0.0.1' })

function stats () {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  const { heapUsed, rss } = process.memoryUsage()
  return { type: 'stats', heapUsed, rss, gc: gc !== undefined, sessions: app.sessions.size, inFlight: app.lifecycle.inFlight }
}

process.on('message', (command: Command) => {
  if (command.type === 'stats') send(stats())
  if (command.type === 'close') {
    void app.close().then(() => {
      // What still holds the event loop, should the process not exit by itself afterwards.
      send({ type: 'closed', resources: process.getActiveResourcesInfo() })
      process.disconnect()
    })
  }
})
send({ type: 'ready', port: (app.server.address() as { port: number }).port })
