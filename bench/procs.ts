// Runner side of the child processes: every server (and the GitHub stand-in) runs in its own
// `node --import tsx --expose-gc` process, so the load generator never shares a heap or an
// event loop with what it measures.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { MemoryMessage, ReadyMessage } from './children/probe.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface Child {
  name: string
  url: string
  pid: number
  memory (): Promise<MemoryMessage>
  /** Sends `message` and resolves with the child's first message of type `reply`. */
  ask<T extends { type: string }> (message: { type: string }, reply: T['type']): Promise<T>
  stop (): Promise<void>
}

const READY_TIMEOUT_MS = 60_000

/** A clean environment: only what node needs plus the child's own settings, nothing inherited. */
function childEnv (env: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG']
  return { ...Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]])), ...env }
}

function waitForMessage<T extends { type: string }> (proc: ChildProcess, type: T['type'], name: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`${name}: no '${type}' message within ${timeoutMs} ms`)) }, timeoutMs)
    const onMessage = (m: T) => { if (m?.type === type) { cleanup(); resolve(m) } }
    const onExit = (code: number | null, signal: string | null) => {
      cleanup()
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) while the bench waited for '${type}'`))
    }
    const cleanup = () => { clearTimeout(timer); proc.off('message', onMessage); proc.off('exit', onExit) }
    proc.on('message', onMessage)
    proc.once('exit', onExit)
  })
}

/**
 * BENCH_CPU_PROF=1: every child writes V8 CPU profiles to bench/profiles/<name>-<time>/ when it
 * exits, one per thread (tsx's loader thread too: the main thread's is the largest file).
 */
function profileFlags (name: string): string[] {
  if (!process.env.BENCH_CPU_PROF) return []
  return ['--cpu-prof', `--cpu-prof-dir=${ROOT}bench/profiles/${name}-${Date.now()}`]
}

/** Starts `entry` (a path under `root`, default this checkout) in its own process. */
export async function startChild (name: string, entry: string, env: Record<string, string>, root = ROOT): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', ...profileFlags(name), entry], {
    cwd: root,
    env: childEnv(env),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  let stopping = false
  proc.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`bench: ${name} exited unexpectedly (code ${code}, signal ${signal})\n`)
  })
  const ready = await waitForMessage<ReadyMessage>(proc, 'ready', name, READY_TIMEOUT_MS)
  const ask = <T extends { type: string }>(message: { type: string }, reply: T['type']): Promise<T> => {
    const answer = waitForMessage<T>(proc, reply, name, 60_000)
    proc.send(message)
    return answer
  }
  return {
    name,
    url: ready.url,
    pid: proc.pid!,
    memory: () => ask<MemoryMessage>({ type: 'memory' }, 'memory'),
    ask,
    async stop () {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      stopping = true
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
}
