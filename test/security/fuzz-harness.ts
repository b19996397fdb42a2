// Parent side of the fuzz test: starts the gateway in a child process (fuzz-server.ts), talks to it
// over IPC, and keeps the anchor sessions that mutated requests are fired into.
import { fork, type ChildProcess } from 'node:child_process'
import type http from 'node:http'
import { fileURLToPath } from 'node:url'
import { send } from './fuzz-client.js'
import { KEYS, type SessionRef } from './fuzz-headers.js'

export interface Stats { heapUsed: number, rss: number, gc: boolean, sessions: number, inFlight: number }

export interface Gateway {
  port: number
  /** warn/error log lines of the gateway, and any crash report. */
  logs: string[]
  crashes: string[]
  /** Exit code once the process has exited, else undefined. */
  exitCode (): number | null | undefined
  stats (): Promise<Stats>
  /** app.close(), then waits (at most `ms`) for the process to exit by itself; else says what holds it. */
  close (ms: number): Promise<number | null | string>
}

export async function startGateway (env: Record<string, string>): Promise<Gateway> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./fuzz-server.ts', import.meta.url)), [], {
    execArgv: ['--import=tsx', '--expose-gc'],
    env: { ...process.env, FUZZ_ENV: JSON.stringify(env) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc']
  })
  const logs: string[] = []
  const crashes: string[] = []
  let exit: number | null | undefined
  const exited = new Promise<void>((resolve) => child.once('exit', (code) => { exit = code; resolve() }))
  child.stderr?.on('data', (chunk: Buffer) => { if (logs.length < 1000) logs.push(`stderr: ${String(chunk).slice(0, 2000)}`) })
  const waiters: Array<(message: Record<string, unknown>) => boolean> = []
  child.on('message', (message: Record<string, unknown>) => {
    if (message.type === 'log' && logs.length < 1000) logs.push(String(message.line))
    if (message.type === 'crash') crashes.push(String(message.error))
    const i = waiters.findIndex((w) => w(message))
    if (i !== -1) waiters.splice(i, 1)
  })
  const next = (type: string) => new Promise<Record<string, unknown>>((resolve, reject) => {
    exited.then(() => reject(new Error(`gateway exited (code ${String(exit)}) waiting for ${type}: ${crashes.join('\n')}`)), () => {})
    waiters.push((m) => { if (m.type !== type) return false; resolve(m); return true })
  })
  const ready = await next('ready')
  return {
    port: ready.port as number,
    logs,
    crashes,
    exitCode: () => exit,
    async stats () {
      const reply = next('stats')
      child.send({ type: 'stats' })
      return await reply as unknown as Stats
    },
    async close (ms) {
      if (exit !== undefined || !child.connected) return exit ?? null
      const closed = next('closed').catch(() => ({ resources: [] }))
      child.send({ type: 'close' })
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms) })
      const result = await Promise.race([exited.then(() => exit ?? null), timeout])
      clearTimeout(timer)
      if (result !== 'timeout') return result
      child.kill('SIGKILL')
      const { resources } = await Promise.race([closed, Promise.resolve({ resources: ['app.close() did not resolve'] })])
      const counts = new Map<string, number>()
      for (const r of resources as string[]) counts.set(r, (counts.get(r) ?? 0) + 1)
      return `still running ${ms} ms after close; when close resolved it held ${[...counts].map(([r, n]) => `${r}×${n}`).join(', ')}`
    }
  }
}

const INIT = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz-anchor', version: '1' } } }

/**
 * Two well-formed sessions per key that fuzzed requests are sent into, so mutations reach the MCP
 * layer rather than stopping at "no session". A fuzzed DELETE or idle expiry ends one; it is
 * opened again after the first 404 that shows it gone.
 */
export class Anchors {
  private readonly ids: string[][] = [[], []]
  private readonly reopening = new Set<string>()
  opened = 0

  constructor (private readonly agent: http.Agent, private readonly port: number) {}

  async open (key: 0 | 1, slot: number): Promise<void> {
    const name = `${key}/${slot}`
    if (this.reopening.has(name)) return
    this.reopening.add(name)
    try {
      const headers: Array<[string, string]> = [['content-type', 'application/json'], ['accept', 'application/json, text/event-stream'], ['x-api-key', KEYS[key]], ['x-forwarded-for', '10.1.0.1']]
      const res = await send(this.agent, this.port, { method: 'POST', path: '/mcp', headers, body: JSON.stringify(INIT) }, 10_000)
      if (res.status !== 200 || res.sessionId === undefined) return // full for now: the next 404 tries again
      this.opened++
      this.ids[key][slot] = res.sessionId
      const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
      await send(this.agent, this.port, { method: 'POST', path: '/mcp', headers: [...headers, ['mcp-session-id', res.sessionId], ['mcp-protocol-version', '2025-11-25']], body: initialized }, 10_000)
    } finally {
      this.reopening.delete(name)
    }
  }

  /** The header value a SessionRef stands for. */
  resolve (ref: SessionRef): string {
    const own = this.ids[ref.key][ref.slot] ?? 'not-open-yet'
    switch (ref.variant) {
      case 'own': return own
      case 'other': return this.ids[1 - ref.key][ref.slot] ?? 'not-open-yet'
      case 'upper': return own.toUpperCase()
      case 'padded': return ` ${own}\t`
      case 'suffixed': return `${own}0`
    }
  }

  isAnchor (id: string): boolean {
    return this.ids.some((ids) => ids.includes(id))
  }
}
