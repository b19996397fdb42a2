import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { standin, testEnv } from './helper.js'
import { exitOf, freePort, until, waitReady } from './spawn.js'

// Each test spawns processes; on a loaded machine the file needs more than the default budget.
t.setTimeout(300_000)

// The package scripts as a user runs them, through npm: npm starts `sh -c <script>`, so unless
// the script execs, a signal to npm never reaches the gateway and it is left running, orphaned.
const root = fileURLToPath(new URL('..', import.meta.url))

function npm (args: string[], cwd: string, env: Record<string, string>): { child: ChildProcess, output: () => string } {
  const child = spawn('npm', args, { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => { output += d })
  child.stderr!.on('data', (d) => { output += d })
  return { child, output: () => output }
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}

/** The gateway's own pid, from its JSON log lines (pino writes it on each). */
function gatewayPid (output: string): number {
  const pid = Number(/"pid":(\d+)/.exec(output)?.[1])
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in the log:\n${output}`)
  return pid
}

/** Kills npm and, even when the test failed before reading it, the gateway (an orphan otherwise). */
function killAll (child: ChildProcess, output: () => string) {
  child.kill('SIGKILL')
  const pid = Number(/"pid":(\d+)/.exec(output())?.[1])
  if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL')
}

/** A copy of the package with only package.json: what a fresh clone has before `npm run build`. */
function unbuiltPackage (dir: string): string {
  copyFileSync(`${root}/package.json`, `${dir}/package.json`)
  return dir
}

t.test('npm start before npm run build says to build first, in one line, no stack', async (t) => {
  const { child, output } = npm(['start', '--silent'], unbuiltPackage(t.testdir({})), {})
  t.equal(await exitOf(child), 1)
  t.equal(output(), 'dist/src/server.js not found: run "npm run build" first\n')
})

t.test('SIGTERM to npm start drains and stops the gateway: no orphan, port free', async (t) => {
  // dist/src/server.js stands in for the build: the real process entry (src/server.ts) through
  // tsx, so this runs the start script exactly as written without compiling the project.
  const dir = unbuiltPackage(t.testdir({}))
  mkdirSync(`${dir}/dist/src`, { recursive: true })
  writeFileSync(`${dir}/dist/src/server.js`, `import { start } from ${JSON.stringify(pathToFileURL(`${root}/src/server.ts`).href)}\nawait start()\n`)
  const gh = await standin(t)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const { child, output } = npm(['start'], dir, {
    ...testEnv(gh), PORT: String(port), LOG_LEVEL: 'info', NODE_OPTIONS: `--import=${import.meta.resolve('tsx')}`
  })
  t.teardown(() => killAll(child, output))
  await waitReady(base)
  const pid = gatewayPid(output())
  t.not(pid, child.pid, 'the gateway is npm\'s child, not npm')

  child.kill('SIGTERM')
  await until(() => !alive(pid), 'the gateway process to exit')
  await until(async () => fetch(`${base}/health/live`).then(() => false, () => true), 'the port to be free')
  t.match(output(), /shutdown started/, 'the signal reached the gateway')
  t.match(output(), /shutdown complete/, 'and it drained')
})

t.test('SIGTERM to npm run demo stops the demo gateway: no orphan, port free', async (t) => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const { child, output } = npm(['run', 'demo'], root, { PORT: String(port), LOG_LEVEL: 'info' })
  t.teardown(() => killAll(child, output))
  await waitReady(base)
  const pid = gatewayPid(output())
  child.kill('SIGTERM')
  await until(() => !alive(pid), 'the demo process to exit')
  await until(async () => fetch(`${base}/health/live`).then(() => false, () => true), 'the port to be free')
  t.match(output(), /shutdown complete/)
})
