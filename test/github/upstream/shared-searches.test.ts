// Identical searches share one search-budget slot: a search that finds the same one (same
// credential, URL, Accept) waiting for the budget or in flight joins it; a write after it was
// sent, or another credential, keeps them apart; one caller leaving does not fail the others.
import t, { type Test } from 'tap'
import { startGitHubStandin } from '../../../sandbox/github-standin.js'
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../../src/github/upstream/client.js'
import { Credential } from '../../../src/auth/credential.js'
import { memoryLogger } from '../harness.js'

const MINUTE = [{ limit: 1, ms: 60_000 }]

async function setUp (t: Test, opts: Partial<GitHubClientOptions> = {}) {
  const standin = await startGitHubStandin()
  t.teardown(() => standin.close())
  const github = createGitHubClient({ token: 'sandbox-token', baseUrl: standin.url, logger: memoryLogger([]), budgets: { search: MINUTE }, retryBaseMs: 5, ...opts })
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

const edit = (github: GitHubClient) =>
  github.api.rest.issues.update({ owner: 'octo-org', repo: 'widgets', issue_number: 2, title: 'edited' })

t.test('a search still waiting for the budget is joined after a write: it goes out after it', async (t) => {
  const { github, standin, search } = await setUp(t)
  await search('crash repo:octo-org/widgets').done
  const before = search('flaky repo:octo-org/widgets')
  await edit(github)
  t.ok(standin.requests.some((r) => r.method === 'PATCH'))
  const after = search('flaky repo:octo-org/widgets')
  await until(() => github.stats().searchesShared === 1)
  t.same([before.settled, after.settled], [undefined, undefined], 'both wait for the one slot')
})

t.test('a search already sent is not joined after a write: its answer may predate it', async (t) => {
  const { github, standin, search, searchesSent } = await setUp(t, { budgets: { search: [{ limit: 2, ms: 60_000 }] }, requestTimeoutMs: 1000 })
  standin.breakNext({ method: 'GET', path: /^\/search\// }, { kind: 'hang', when: 'before-headers' })
  const sent = search('flaky repo:octo-org/widgets')
  await until(() => searchesSent() === 1) // at GitHub, its answer not yet back
  await edit(github)
  const after = search('flaky repo:octo-org/widgets')
  await after.done
  t.equal(after.settled, 'ok', 'asked after the write: a search of its own')
  t.equal(github.stats().searchesShared, 0)
  await sent.done
  t.not(sent.settled, 'ok', 'the one sent before timed out')
})

t.test('another credential does not join', async (t) => {
  const { github, search } = await setUp(t)
  await search('crash repo:octo-org/widgets').done
  const service = search('flaky repo:octo-org/widgets')
  const someoneElse = search('flaky repo:octo-org/widgets', { credential: new Credential('another-token') })
  await someoneElse.done
  t.equal(someoneElse.settled, 'BudgetExhaustedError', 'refused: the queue holds the service\'s search, which it may not join')
  t.equal(service.settled, undefined)
  t.equal(github.stats().searchesShared, 0)
})

t.test('a caller that leaves gets its cancellation; the others get the answer', async (t) => {
  const { github, standin, search } = await setUp(t)
  standin.setLatency(300)
  const leaving = new AbortController()
  const first = search('flaky repo:octo-org/widgets', { signal: leaving.signal })
  const staying = search('flaky repo:octo-org/widgets', { signal: new AbortController().signal })
  await until(() => github.stats().searchesShared === 1)
  leaving.abort()
  await first.done
  t.equal(first.settled, 'AbortError')
  await staying.done
  t.equal(staying.settled, 'ok', 'the shared search went on without the caller that left')
})

t.test('when every caller has left, the shared search is cancelled and no longer joined', async (t) => {
  const { github, standin, search, searchesSent } = await setUp(t, { budgets: { search: [{ limit: 2, ms: 60_000 }] } })
  standin.setLatency(300)
  const callers = [new AbortController(), new AbortController()]
  const searches = callers.map((c) => search('flaky repo:octo-org/widgets', { signal: c.signal }))
  await until(() => github.stats().searchesShared === 1)
  for (const c of callers) c.abort()
  await Promise.all(searches.map((s) => s.done))
  t.same(searches.map((s) => s.settled), ['AbortError', 'AbortError'])
  const again = search('flaky repo:octo-org/widgets')
  await again.done
  t.equal(again.settled, 'ok', 'a search of its own, not the cancelled one')
  t.equal(github.stats().searchesShared, 1)
  t.equal(searchesSent(), 1, 'the cancelled search never got its answer logged; the new one did')
})
