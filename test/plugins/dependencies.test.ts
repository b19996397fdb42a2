// The order in app.ts is checked, not only written: every plugin names itself and what it needs,
// and Fastify refuses to start when a dependency is missing or registered after it.
import t from 'tap'
import { readdirSync } from 'node:fs'
import type { FastifyPluginCallback } from 'fastify'
import errors from '../../plugins/errors.js'
import lifecycle from '../../plugins/lifecycle.js'
import metrics from '../../plugins/metrics.js'
import github from '../../plugins/github.js'
import sessions from '../../plugins/sessions.js'
import hosts from '../../plugins/hosts.js'
import cors from '../../plugins/cors.js'
import auth from '../../plugins/auth.js'
import rateLimit from '../../plugins/rate-limit.js'
import mcp from '../../plugins/mcp.js'
import { startError, type PluginSetup } from '../helper.js'

interface Meta { name?: string, dependencies?: string[] }
const meta = (plugin: unknown): Meta | undefined => (plugin as Record<symbol, Meta | undefined>)[Symbol.for('plugin-meta')]

t.test('every plugin file exports a named fastify-plugin', async (t) => {
  const dir = new URL('../../plugins/', import.meta.url)
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))
  t.ok(files.length >= 12, `${files.length} plugins`)
  for (const file of files) {
    const { default: plugin } = await import(new URL(file, dir).href) as { default: FastifyPluginCallback }
    t.equal(meta(plugin)?.name, file.replace(/\.ts$/, ''), `${file} names itself after its file`)
  }
})

/** The /mcp scope as app.ts builds it, leaving out one plugin. */
function mcpScopeWithout (missing: string): PluginSetup {
  return async (app) => {
    for (const [name, plugin] of [['errors', errors], ['lifecycle', lifecycle], ['metrics', metrics], ['github', github], ['sessions', sessions]] as const) {
      if (name !== missing) await app.register(plugin)
    }
    await app.register(async (api) => {
      for (const [name, plugin] of [['hosts', hosts], ['cors', cors], ['auth', auth], ['rate-limit', rateLimit]] as const) {
        if (name !== missing) await api.register(plugin)
      }
      await api.register(mcp)
    })
  }
}

t.test('the MCP routes refuse to start without any of their guards or services', async (t) => {
  const env = { AUTH_KEYS: 'k' }
  t.equal(await startError(mcpScopeWithout('none'), { env }), null, 'the full chain starts')
  for (const missing of ['rate-limit', 'auth', 'cors', 'hosts', 'sessions', 'github', 'metrics', 'lifecycle', 'errors']) {
    const error = await startError(mcpScopeWithout(missing), { env })
    // Without auth, the rate limiter (which counts per key) is the first to refuse.
    const needer = missing === 'auth' ? 'rate-limit' : 'mcp'
    t.match(error?.message, new RegExp(`dependency '${missing}' of plugin '${needer}' is not registered`), `without ${missing}`)
  }
})

t.test('a dependency registered after the plugin that needs it is refused too', async (t) => {
  const error = await startError(async (app) => {
    await app.register(rateLimit)
    await app.register(auth)
  }, { env: { AUTH_KEYS: 'k' } })
  t.match(error?.message, /dependency 'auth' of plugin 'rate-limit' is not registered/)
})
