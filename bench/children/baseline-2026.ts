// Child process: the 2026 baseline (the SDK v2's createMcpHandler on Fastify), configured like
// the other servers from the environment. It keeps no sessions, so the probe reports none.
import { createBaseline2026 } from '../baseline-2026/server.js'
import { serveProbe } from './probe.js'

const env = process.env
const { app } = createBaseline2026({
  githubToken: env.GITHUB_TOKEN ?? '',
  githubApiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
  authKeys: (env.AUTH_KEYS ?? '').split(','),
  rateLimitMax: Number(env.RATE_LIMIT_MAX ?? 100),
  rateLimitWindowMs: Number(env.RATE_LIMIT_WINDOW_MS ?? 60_000)
})
const url = await app.listen({ port: 0, host: '127.0.0.1' })
serveProbe(url, () => 0)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
