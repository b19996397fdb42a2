// Child process: the seed-design baseline server, configured like the gateway from the environment.
import type { AddressInfo } from 'node:net'
import { createBaseline } from '../baseline/server.js'
import { serveProbe } from './probe.js'

const env = process.env
const baseline = createBaseline({
  githubToken: env.GITHUB_TOKEN ?? '',
  githubApiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
  authKeys: (env.AUTH_KEYS ?? '').split(','),
  rateLimitMax: Number(env.RATE_LIMIT_MAX ?? 100),
  rateLimitWindowMs: Number(env.RATE_LIMIT_WINDOW_MS ?? 60_000),
  stateless: env.MCP_STATELESS === 'true'
})
const server = baseline.app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  serveProbe(`http://127.0.0.1:${port}`, () => baseline.sessions.size)
})
process.on('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
