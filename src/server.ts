import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { buildApp } from './app.js'
import { ConfigError } from './config.js'

// The process entry: logger, listen, signals. Everything else is the app plugin tree (app.ts).

/** Header and config values that must never reach a log line. */
const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie',
  'headers.authorization', 'headers["x-api-key"]', '*.token', '*.GITHUB_TOKEN', '*.AUTH_KEYS', 'config.GITHUB_TOKEN',
  '*.GITHUB_APP_PRIVATE_KEY', 'config.GITHUB_APP_PRIVATE_KEY', '*.privateKey'
]

function loggerOptions (): FastifyServerOptions['logger'] {
  const options = { level: 'info', redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }
  // Pretty output for a person at a terminal in development only, and only if installed
  // (pino-pretty is a dev dependency; production images do not carry it).
  const pretty = process.env.NODE_ENV !== 'production' && process.stdout.isTTY && canResolve('pino-pretty')
  return pretty ? { ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } } : options
}

function canResolve (name: string): boolean {
  try { createRequire(import.meta.url).resolve(name); return true } catch { return false }
}

export async function start (env: Record<string, string | undefined> = process.env): Promise<FastifyInstance> {
  let app: FastifyInstance
  try {
    app = await buildApp({ env, logger: loggerOptions() })
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`invalid configuration:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`)
      process.exit(1)
    }
    throw err
  }
  const { PORT, HOST, SHUTDOWN_TIMEOUT_MS, SHUTDOWN_DRAIN_DELAY_MS } = app.config

  try {
    await app.listen({ port: PORT, host: HOST })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const reason = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : (err as Error).message
    process.stderr.write(`cannot listen on ${HOST}:${PORT}: ${reason} (set PORT/HOST)\n`)
    await app.close()
    process.exit(1)
  }

  // Signal handling starts once serving: before that there is nothing to drain.
  closeWithGrace({
    delay: SHUTDOWN_DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS,
    logger: false,
    onTimeout: (ms) => app.log.error(
      { inFlight: app.lifecycle.inFlight, sessions: app.sessions.size },
      `shutdown timed out after ${ms} ms: cutting off in-flight requests and open sessions`),
    onSecondSignal: (signal) => app.log.error(
      { signal, inFlight: app.lifecycle.inFlight, sessions: app.sessions.size },
      'second signal: exiting at once, cutting off in-flight requests and open sessions')
  }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'fatal error: shutting down')
    app.lifecycle.beginShutdown()
    app.log.info({ signal, inFlight: app.lifecycle.inFlight, sessions: app.sessions.size }, 'shutdown started: readiness is now 503')
    // Let load balancers see readiness fail before the listener goes away.
    if (SHUTDOWN_DRAIN_DELAY_MS > 0) await sleep(SHUTDOWN_DRAIN_DELAY_MS)
    await app.close()
    app.log.info('shutdown complete')
  })
  return app
}

// Run when executed (`node dist/src/server.js`, `tsx src/server.ts`), not when imported (demo).
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await start()
