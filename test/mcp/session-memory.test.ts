// An idle session must stay small: the bench's memory target (at most a fifth of the seed
// design's, bench/PROFILE.md) depends on it, and a per-session zod schema once quietly broke it.
import t from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createGitHubDomain } from '../../src/github/index.js'
import { createSessionServer } from '../../src/mcp/session-server.js'
import { FastifyTransport } from '../../src/mcp/transport.js'
import { routeDirectly } from '../../src/mcp/sdk-internals.js'
import { FULL_ACCESS } from '../../src/auth/access.js'
import { memoryLogger } from '../github/harness.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

t.test('a connected session server holds well under 20 KiB of heap', async (t) => {
  const logger = memoryLogger([])
  const domain = createGitHubDomain({ token: 't', baseUrl: 'http://127.0.0.1:9', logger })
  t.teardown(() => domain.close())
  const open = async (i: number) => {
    const transport = new FastifyTransport(`s${i}`)
    const server = createSessionServer(domain.catalog, { keyName: 'k', access: FULL_ACCESS, logger })
    await server.connect(transport)
    routeDirectly(server, transport)
    return server
  }
  const kept = []
  for (let i = 0; i < 50; i++) kept.push(await open(i)) // warm: shared structures built once
  gc(); gc()
  const before = process.memoryUsage().heapUsed
  const N = 1000
  for (let i = 0; i < N; i++) kept.push(await open(i))
  gc(); gc()
  const perSession = (process.memoryUsage().heapUsed - before) / N / 1024
  t.ok(perSession < 20, `${perSession.toFixed(1)} KiB per session`)
  await Promise.all(kept.map((server) => server.close())) // `kept` also holds the sessions alive until measured
})
