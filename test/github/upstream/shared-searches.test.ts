// Identical searches share one search-budget slot: a search that finds the same one (same
// credential, URL, Accept) waiting for the budget or in flight joins it; a write in between, or
// another credential, keeps them apart; one caller leaving does not fail the others.
import t, { type Test } from 'tap'
import { startGitHubStandin } from '../../../sandbox/github-standin.js'
import { createGitHubClient } from '../../../src/github/upstream/client.js'
import { Credential } from '../../../src/auth/credential.js'
import { memoryLogger } from '../harness.js'

const MINUTE = [{ limit: 1, ms: 60_000 }]

async function setUp (t: Test) {
  const standin = await startGitHubStandin()
  t.teardown(() => standin.close())
  const github = createGitHubClient({ token: 'sandbox-token', baseUrl: standin.url, logger: memoryLogger([]), budgets: { search: MINUTE }, retryBaseMs: 5 })
  let closed: Promise<void> | undefined
  const close = () => (closed ??= github.close())
  t.teardown(close)
  const searchesSent = () => standin.requests.filter((r) => r.path.startsWith('/search/')).length
  /** A search whose outcome is recorded as it settles: 'ok', or the error's name. */
  const search = (q: string, request: { signal?: AbortSignal, credential?: Credential } = {}) => {
    const outcome = { settled: undefined as string | undefined }
    const done = github.api.rest.search.issuesAndPullRequests({ q, request }).then(
      () => { outcome.settled = 'ok' }, (e: Error) => { outcome.settled = e.name },
    )
    return Object.assign(outcome, { done })
  }
  return { standin, github, close, search, searchesSent }
}

const until = async (done: () => boolean) => { while (!done()) await new Promise((resolve) => setTimeout(resolve, 5)) }

t.test('identical searches waiting for the budget share its one queued slot', async (t) => {
  const { github, close, search, searchesSent } = await setUp(t)
  await search('crash repo:octo-org/widgets').done // spends the minute's one search
  const waiting = [1, 2, 3].map(() => search('flaky repo:octo-org/widgets'))
  const other = search('sync repo:octo-org/widgets')
  await other.done
  t.equal(other.settled, 'BudgetExhaustedError', 'the queue holds one search, and it is taken')
  await until(() => github.stats().searchesShared === 2)
  t.same(waiting.map((w) => w.settled), [undefined, undefined, undefined], 'the copies wait with the first instead of being refused')
  t.equal(searchesSent(), 1)
  await close()
  await Promise.all(waiting.map((w) => w.done))
  t.same(waiting.map((w) => w.settled), ['ClientClosedError', 'ClientClosedError', 'ClientClosedError'])
})

t.test('a write in between, or another credential, keeps identical searches apart', async (t) => {
  const { github, standin, search } = await setUp(t)
  await search('crash repo:octo-org/widgets').done
  const before = search('flaky repo:octo-org/widgets')
  await github.api.rest.issues.update({ owner: 'octo-org', repo: 'widgets', issue_number: 2, title: 'edited' })
  const after = search('flaky repo:octo-org/widgets')
  await after.done
  t.equal(after.settled, 'BudgetExhaustedError', 'asked after the write: it did not join the search asked before')
  const someoneElse = search('flaky repo:octo-org/widgets', { credential: new Credential('another-token') })
  await someoneElse.done
  t.equal(someoneElse.settled, 'BudgetExhaustedError', 'another credential does not join it either')
  t.equal(before.settled, undefined, 'the first still waits for its slot')
  t.equal(github.stats().searchesShared, 0)
  t.ok(standin.requests.some((r) => r.method === 'PATCH'))
})

t.test('a caller that leaves gets its cancellation; the others keep waiting', async (t) => {
  const { github, search } = await setUp(t)
  await search('crash repo:octo-org/widgets').done
  const leaving = new AbortController()
  const first = search('flaky repo:octo-org/widgets', { signal: leaving.signal })
  const staying = search('flaky repo:octo-org/widgets', { signal: new AbortController().signal })
  await until(() => github.stats().searchesShared === 1)
  leaving.abort()
  await first.done
  t.equal(first.settled, 'AbortError')
  t.equal(staying.settled, undefined, 'the other caller still waits for the shared search')
})
