// Bench-only IPC for the server children: readiness and a memory probe. It lives in the wrapper
// process entries, never in the product, so the gateway carries no debug route.
import { createServer } from 'node:net'

export interface ReadyMessage { type: 'ready', url: string }
export interface MemoryMessage { type: 'memory', rss: number, heapUsed: number, sessions: number }

function send (message: ReadyMessage | MemoryMessage): void {
  if (process.send) process.send(message)
}

/** A free loopback port (the gateway's PORT must be 1–65535, so it cannot take 0 itself). */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Full collections until the heap stops shrinking, so the reading is of live memory only. */
function collect (): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('start the child with --expose-gc')
  let before = Infinity
  for (let i = 0; i < 6 && process.memoryUsage().heapUsed < before; i++) {
    before = process.memoryUsage().heapUsed
    gc()
  }
}

/** Answers {type:'memory'} requests from the runner; `sessions` reports the server's own count. */
export function serveProbe (url: string, sessions: () => number): void {
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'memory') return
    collect()
    const { rss, heapUsed } = process.memoryUsage()
    send({ type: 'memory', rss, heapUsed, sessions: sessions() })
  })
  send({ type: 'ready', url })
}
