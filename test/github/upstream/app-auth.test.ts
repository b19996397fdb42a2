// A GitHub App as the service credential: installation tokens from @octokit/auth-app, chosen by
// the owner of what a request touches, kept until shortly before they expire, and asked for
// through the same Octokit as every other request.
import { test } from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { harness, textOf } from '../harness.js'
import { KEY_A, testEnv } from '../../helper.js'
import { buildApp } from '../../../src/app.js'
import { startGitHubStandin } from '../../../sandbox/github-standin.js'
import { targetOf } from '../../../src/github/upstream/app-auth.js'
import type { SandboxAppOptions } from '../../../sandbox/github-app.js'

// GitHub hands out PKCS#1 keys; auth-app takes them as they are.
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})
const APP_ID = 4242
const INSTALLED: SandboxAppOptions['installations'] = [{ id: 11, account: 'octo-org' }, { id: 12, account: 'octo-user' }]

async function appHarness (t: Parameters<typeof harness>[0], app: Partial<SandboxAppOptions> = {}, credential: { installationId?: number, refreshBeforeMs?: number, now?: () => number } = {}) {
  return harness(t, {
    standin: { app: { id: APP_ID, key: privateKey, installations: INSTALLED, ...app } },
    domain: { token: undefined, app: { appId: String(APP_ID), privateKey, ...credential } },
  })
}

const paths = (h: Awaited<ReturnType<typeof appHarness>>) => h.standin.requests.map((r) => `${r.method} ${r.path} ${r.status}`)

test('each owner\'s installation token is minted once and used for its requests', async (t) => {
  const h = await appHarness(t)
  const first = await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 })
  t.notOk(first.isError, textOf(first))
  await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 2 })
  await h.call('list_issues', { owner: 'octo-org', repo: 'gadgets' })
  t.same(paths(h).slice(0, 2), [
    'GET /repos/octo-org/widgets/installation 200',
    'POST /app/installations/11/access_tokens 201',
  ], 'the installation is looked up by the repository, then its token minted')
  t.equal(h.standin.app!.minted, 1, 'one token for every request on octo-org')
  t.equal(paths(h).filter((p) => p.includes('installation')).length, 2, 'the owner\'s installation is remembered')

  const other = await h.call('list_issues', { owner: 'octo-user', repo: 'dotfiles' })
  t.notOk(other.isError, textOf(other))
  t.ok(paths(h).includes('POST /app/installations/12/access_tokens 201'), 'another owner gets its own installation\'s token')
  t.equal(h.standin.app!.minted, 2)

  const text = JSON.stringify(h.logs)
  t.notOk(text.includes('ghs_'), 'no installation token in the logs')
  t.notOk(text.includes('PRIVATE KEY'), 'no private key in the logs')
})

test('a token about to expire is replaced before it is used again', async (t) => {
  // A 60 s token is inside the 5-minute refresh margin from the start: every call mints anew.
  const h = await appHarness(t, { tokenTtlMs: 60_000 })
  await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 })
  await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 2 })
  t.equal(h.standin.app!.minted, 2)
  // With the margin below the token's life, the first token serves the next call.
  const kept = await appHarness(t, { tokenTtlMs: 60_000 }, { refreshBeforeMs: 10_000 })
  await kept.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 })
  await kept.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 2 })
  t.equal(kept.standin.app!.minted, 1)
})

test('a token GitHub does not know yet is tried again; an older one it refuses is replaced once', async (t) => {
  let skew = 0
  const h = await appHarness(t, {}, { now: () => Date.now() + skew })
  await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 })
  h.standin.failNext({ method: 'GET', path: '/repos/octo-org/widgets/issues/3' }, { status: 401, message: 'Bad credentials' })
  const fresh = await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 3 })
  t.notOk(fresh.isError, textOf(fresh))
  t.equal(h.standin.app!.minted, 1, 'a token minted a moment ago is retried as it is (GitHub may lag)')

  skew = 10_000 // the token is now ten seconds old
  h.standin.failNext({ method: 'GET', path: '/repos/octo-org/widgets/issues/2' }, { status: 401, message: 'Bad credentials' })
  const again = await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 2 })
  t.notOk(again.isError, textOf(again))
  t.equal(h.standin.app!.minted, 2, 'a fresh token was minted for the retry')
})

test('an owner the App is not installed on gets a clear tool error', async (t) => {
  const h = await appHarness(t, { installations: [{ id: 11, account: 'octo-org' }] })
  const res = await h.call('list_issues', { owner: 'octo-user', repo: 'dotfiles' })
  t.ok(res.isError)
  t.match(textOf(res), /GitHub App is not installed on octo-user/)
  t.equal(h.standin.app!.minted, 0)
})

test('search: the owner its query names, or the App\'s only installation', async (t) => {
  const h = await appHarness(t)
  const named = await h.call('search_issues', { query: 'repo:octo-org/widgets bug' })
  t.notOk(named.isError, textOf(named))
  const unnamed = await h.call('search_issues', { query: 'bug' })
  t.ok(unnamed.isError, 'two installations and no owner: nothing to choose by')
  t.match(textOf(unnamed), /installed on several accounts/)

  const single = await appHarness(t, { installations: [{ id: 11, account: 'octo-org' }] })
  const res = await single.call('search_issues', { query: 'bug' })
  t.notOk(res.isError, textOf(res))
  t.ok(paths(single).includes('GET /app/installations?per_page=2 200'), paths(single).join(', '))
})

test('GITHUB_APP_INSTALLATION_ID: one installation for everything, no look-ups', async (t) => {
  const h = await appHarness(t, {}, { installationId: 11 })
  const res = await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 })
  t.notOk(res.isError, textOf(res))
  t.notOk(paths(h).some((p) => p.endsWith('/installation 200')), 'no installation look-up')
  // That installation's token reaches only its account, as on GitHub.
  const elsewhere = await h.call('list_issues', { owner: 'octo-user', repo: 'dotfiles' })
  t.ok(elsewhere.isError)
})

test('the sandbox refuses a JWT signed with another key, and an installation token on App routes', async (t) => {
  const { privateKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
  const h = await harness(t, {
    standin: { app: { id: APP_ID, key: privateKey, installations: INSTALLED } },
    domain: { token: undefined, app: { appId: String(APP_ID), privateKey: stranger } },
  })
  const res = await h.call('get_issue', { owner: 'octo-org', repo: 'widgets', issue_number: 1 })
  t.ok(res.isError)
  t.ok(paths(h).includes('GET /repos/octo-org/widgets/installation 401'))
})

test('targetOf: the account a request acts on', async (t) => {
  const base = 'https://ghes.example/api/v3'
  t.same(targetOf(`${base}/repos/Octo-Org/widgets/issues/1`, base), { owner: 'octo-org', repo: 'widgets' })
  t.same(targetOf(`${base}/users/alice/repos`, base), { owner: 'alice' })
  t.same(targetOf(`${base}/search/issues?q=${encodeURIComponent('is:open repo:octo-org/widgets label:bug')}`, base), { owner: 'octo-org' })
  t.same(targetOf(`${base}/search/issues?q=${encodeURIComponent('org:octo-org user:octo-org x')}`, base), { owner: 'octo-org' })
  t.equal(targetOf(`${base}/search/issues?q=${encodeURIComponent('repo:a/x repo:b/y')}`, base), undefined, 'two owners: none')
  t.equal(targetOf(`${base}/user/repos`, base), undefined)
})

test('the whole gateway, configured with GITHUB_APP_* instead of GITHUB_TOKEN, over HTTP', async (t) => {
  const standin = await startGitHubStandin({ app: { id: APP_ID, key: privateKey, installations: INSTALLED } })
  t.teardown(() => standin.close())
  const env = testEnv(standin, { GITHUB_APP_ID: String(APP_ID), GITHUB_APP_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n') })
  delete env.GITHUB_TOKEN
  const app = await buildApp({ env })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const client = new Client({ name: 'app-e2e', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`), { requestInit: { headers: { 'X-API-Key': KEY_A } } }))
  t.teardown(() => client.close())
  const created = await client.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'Filed by the App' } })
  t.notOk(created.isError, JSON.stringify(created.content))
  t.ok(standin.requests.some((r) => r.method === 'POST' && r.path === '/app/installations/11/access_tokens'))
  t.ok(standin.requests.some((r) => r.method === 'POST' && r.path === '/repos/octo-org/widgets/issues' && r.status === 201))
})

test('completions under an App: an owner\'s repositories, though the App has no "own" ones', async (t) => {
  const h = await appHarness(t)
  const ref = { type: 'ref/resource' as const, uri: 'issue://{owner}/{repo}/{number}' }
  const repos = await h.client.complete({ ref, argument: { name: 'repo', value: '' }, context: { arguments: { owner: 'octo-org' } } })
  t.same(repos.completion.values.sort(), ['gadgets', 'widgets'])
})

test('a failed look-up of the App\'s installations is not remembered', async (t) => {
  const h = await appHarness(t, { installations: [{ id: 11, account: 'octo-org' }] })
  // More failures than the retries make: the call fails, and the faults are used up.
  h.standin.failNext({ method: 'GET', path: '/app/installations' }, { status: 500, message: 'Server Error', count: 10 })
  const failed = await h.call('search_issues', { query: 'bug' })
  t.ok(failed.isError, 'GitHub failed (retries included)')
  const asked = paths(h).filter((p) => p.startsWith('GET /app/installations')).length
  const res = await h.call('search_issues', { query: 'bug' })
  t.ok(paths(h).filter((p) => p.startsWith('GET /app/installations')).length > asked, 'asked again')
  t.notOk(res.isError, textOf(res))
})
