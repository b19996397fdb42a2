import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

// The gateway as its own process, for behaviour that only shows across processes: signals,
// exit codes, and socket timing (in one process client and server share an event loop).
export const serverEntry = fileURLToPath(new URL('../src/server.ts', import.meta.url))

export interface Spawned { child: ChildProcess, output: () => string }

/** Runs `node [args]` with only PATH and `env` set, collecting stdout and stderr together. */
export function runNode (args: string[], env: Record<string, string>, cwd?: string): Spawned {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => { output += d })
  child.stderr!.on('data', (d) => { output += d })
  return { child, output: () => output }
}

/** The process entry (src/server.ts) through tsx. */
export function runServer (env: Record<string, string>): Spawned {
  return runNode(['--import', 'tsx', serverEntry], env)
}

export async function exitOf (child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
  const [code] = await once(child, 'exit')
  return code as number | null
}

export async function freePort (): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address() as { port: number }
  srv.close()
  return port
}

/** Polls until `check` holds; the poll interval is not a guess at how long anything takes. */
export async function until (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(20)
  }
  throw new Error(`timed out waiting for ${what}`)
}

export async function waitReady (base: string): Promise<void> {
  await until(async () => {
    try { return (await fetch(`${base}/health/live`)).ok } catch { return false }
  }, `${base} to come up`, 30_000)
}
