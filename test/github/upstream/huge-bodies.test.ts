// Memory after a burst of huge GitHub answers (issue 15: one 20 MiB body raised RSS by 58 MB and
// kept it). Near-bound answers are served and cached within the cache's byte bound; answers past
// the bound are refused while reading. After GC, the heap and array buffers are back within the
// cache's bound plus a generous margin of where they started (without the cache's byte bound,
// the 24 answers it would keep are 84 MiB). No timing is measured.
import t from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startGitHubStandin } from '../../../sandbox/github-standin.js'
import { createGitHubClient } from '../../../src/github/upstream/client.js'
import { memoryLogger } from '../harness.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const MiB = 1024 * 1024
const MAX_RESPONSE = 4 * MiB
const CACHE_BYTES = 16 * MiB
// Slack for what a run leaves behind that is not the answers: JIT code, pools, GC timing.
const MARGIN = 16 * MiB

async function settled (): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

t.test('after 24 near-bound and 20 oversized answers, memory is back near its baseline and the cache within its bytes', async (t) => {
  const standin = await startGitHubStandin()
  const client = createGitHubClient({
    token: 'sandbox-token', baseUrl: standin.url, logger: memoryLogger([]),
    maxResponseBytes: MAX_RESPONSE, etagCacheBytes: CACHE_BYTES, retryBaseMs: 5,
  })
  t.teardown(async () => { await client.close(); await standin.close() })
  const issues = standin.state.repos[0].issues.filter((i) => i.pull_request === undefined && i.gone !== true).map((i) => i.number)
  const path = (n: number) => `/repos/octo-org/widgets/issues/${n}`
  /**
   * Four at a time, as concurrent tool calls would. Only `keep`'s small result outlives a call:
   * a suspended async function keeps its locals, so answers held here would count as kept.
   */
  async function burst<T> (numbers: number[], bytes: number, keep: (n: number) => Promise<T>): Promise<T[]> {
    const out: T[] = []
    for (let i = 0; i < numbers.length; i += 4) {
      const batch = numbers.slice(i, i + 4)
      for (const n of batch) standin.breakNext({ path: path(n) }, { kind: 'huge', bytes })
      out.push(...await Promise.all(batch.map(keep)))
    }
    return out
  }
  const get = (n: number) => client.api.rest.issues.get({ owner: 'octo-org', repo: 'widgets', issue_number: n })

  // Warm every code path once (an answer, a cached one, a refused one), so the baseline has them.
  standin.breakNext({ path: path(issues[0]) }, { kind: 'huge', bytes: MAX_RESPONSE - MiB })
  await get(issues[0])
  standin.breakNext({ path: path(issues[0]) }, { kind: 'huge', bytes: 3 * MAX_RESPONSE })
  await t.rejects(get(issues[0]), { name: 'UpstreamTooLargeError' })
  const baseline = await settled()

  const near = issues.slice(1, 25)
  t.equal(near.length, 24)
  const served = await burst(near, MAX_RESPONSE - MiB / 2, async (n) => (await get(n)).data.body?.length ?? 0)
  t.ok(served.every((length) => length > 3 * MiB), 'near-bound answers served whole')
  const refused = await burst(near.slice(0, 20), 5 * MAX_RESPONSE, (n) => get(n).then(() => 'served', (e: Error) => e.name))
  t.ok(refused.every((name) => name === 'UpstreamTooLargeError'), 'oversized ones refused')

  const stats = client.stats()
  t.ok(stats.etagBytes <= CACHE_BYTES, `the cache holds ${(stats.etagBytes / MiB).toFixed(1)} MiB in ${stats.etagEntries} entries`)
  const after = await settled()
  const grown = after - baseline
  t.comment(`heap + array buffers: ${(baseline / MiB).toFixed(1)} MiB before, ${(after / MiB).toFixed(1)} MiB after; rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`)
  t.ok(grown <= CACHE_BYTES + MARGIN, `grew ${(grown / MiB).toFixed(1)} MiB; at most the cache (${CACHE_BYTES / MiB} MiB) + ${MARGIN / MiB} MiB`)
})
