// The bench's baselines listening on loopback for a bench test, closed with the test.
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { SANDBOX_TOKEN } from '../../sandbox/github-standin.js'
import { createBaseline, type Baseline } from '../../bench/baseline/server.js'
import { createBaseline2026 } from '../../bench/baseline-2026/server.js'
import { API_KEY } from '../../bench/config.js'

/** Starts the baseline against `githubUrl` with limits out of the way. */
export async function listenBaseline (t: Test, githubUrl: string): Promise<{ base: Baseline, url: string }> {
  const base = createBaseline({
    githubToken: SANDBOX_TOKEN, githubApiUrl: githubUrl, authKeys: [API_KEY], rateLimitMax: 1_000_000, rateLimitWindowMs: 1000
  })
  const server = base.app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  t.teardown(async () => { await base.closeAll(); server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })
  return { base, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Starts the 2026 baseline (the SDK v2's createMcpHandler on Fastify) against `githubUrl`. */
export async function listenBaseline2026 (t: Test, githubUrl: string): Promise<{ url: string }> {
  const { app } = createBaseline2026({
    githubToken: SANDBOX_TOKEN, githubApiUrl: githubUrl, authKeys: [API_KEY], rateLimitMax: 1_000_000, rateLimitWindowMs: 1000
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { url }
}
