import t from 'tap'
import { harness, textOf } from '../harness.js'
import { SCOPES, userAccess } from '../../../src/auth/access.js'
import { Credential } from '../../../src/auth/credential.js'

// Each OAuth user's calls carry that user's own GitHub token through the one Octokit, and what one
// user's token fetched is never served to another: not from the ETag cache, not from a read in
// flight, not from a shared tool run, not from the completion memo.

const issue = { owner: 'octo-org', repo: 'widgets', issue_number: 1 }

t.test('a user\'s write acts as that user: the issue\'s author on GitHub is them, not the service token\'s bot', async (t) => {
  const h = await harness(t)
  const alice = await h.connect(userAccess(SCOPES, new Credential(h.standin.userToken('alice'))), 'user-alice')
  const res = await alice.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'mine' } })
  t.notOk(res.isError, textOf(res as never))
  const created = h.standin.state.repos.find((r) => r.name === 'widgets')?.issues.find((i) => i.title === 'mine')
  t.equal(created?.user, 'alice')
  await h.call('create_issue', { owner: 'octo-org', repo: 'widgets', title: 'service' })
  t.equal(h.standin.state.repos.find((r) => r.name === 'widgets')?.issues.find((i) => i.title === 'service')?.user, 'octo-bot',
    'a key caller (no credential of its own) still acts with the service token')
})

t.test('the ETag cache is per credential: another user\'s first read is a plain GET, never a 304 on the first user\'s copy', async (t) => {
  const h = await harness(t)
  const alice = await h.connect(userAccess(SCOPES, new Credential(h.standin.userToken('alice'))), 'user-alice')
  const bob = await h.connect(userAccess(SCOPES, new Credential(h.standin.userToken('bob'))), 'user-bob')
  const path = '/repos/octo-org/widgets/issues/1'
  await alice.callTool({ name: 'get_issue', arguments: issue })
  await alice.callTool({ name: 'get_issue', arguments: issue })
  await bob.callTool({ name: 'get_issue', arguments: issue })
  const reads = h.standin.requests.filter((r) => r.path === path)
  t.same(reads.map((r) => [r.status, r.ifNoneMatch !== undefined]), [[200, false], [304, true], [200, false]])
})

t.test('identical reads in flight are shared only under one credential: two users, two upstream requests and two runs', async (t) => {
  const h = await harness(t)
  const alice = await h.connect(userAccess(SCOPES, new Credential(h.standin.userToken('alice'))), 'user-alice')
  const bob = await h.connect(userAccess(SCOPES, new Credential(h.standin.userToken('bob'))), 'user-bob')
  h.standin.setLatency(100)
  await Promise.all([alice, bob, alice].map((c) => c.callTool({ name: 'get_issue', arguments: issue })))
  t.equal(h.standin.requests.filter((r) => r.path === '/repos/octo-org/widgets/issues/1').length, 2, 'one request per user')
  t.equal(h.domain.stats().coalesced, 0, 'alice\'s second call joined her own run above the upstream layer')
  t.equal(h.events.filter((e) => e.shared).length, 1, 'only alice\'s second call shared a run')
})

t.test('completions are memoized per credential: each user sees their own repositories', async (t) => {
  const h = await harness(t)
  const alice = await h.connect(userAccess(SCOPES, new Credential(h.standin.userToken('alice'))), 'user-alice')
  const ask = (c: typeof alice) => c.complete({ ref: { type: 'ref/prompt', name: 'weekly-summary' }, argument: { name: 'owner', value: '' } })
  const service = await ask(h.client)
  const mine = await ask(alice)
  t.ok(service.completion.values.length > 0)
  const calls = h.standin.requests.filter((r) => r.path.startsWith('/user/repos'))
  t.equal(calls.length, 2, 'alice\'s completion asked GitHub with her token instead of reusing the service token\'s list')
  t.ok(Array.isArray(mine.completion.values))
})

t.test('a credential never shows its secret: JSON, string and inspection give its id only', async (t) => {
  const c = new Credential('gho_secret_value_123')
  const { inspect } = await import('node:util')
  for (const shown of [JSON.stringify({ c }), String(c), inspect({ c }, { depth: 5 }), JSON.stringify(userAccess(SCOPES, c))]) {
    t.notMatch(shown, /gho_secret/)
  }
  t.equal(c.reveal(), 'gho_secret_value_123')
})
