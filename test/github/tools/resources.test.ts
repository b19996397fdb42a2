// The issue:// resource templates and argument completion.
import t from 'tap'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import { harness } from '../harness.js'
import { RESOURCE_NOT_FOUND } from '../../../src/mcp/prompts-resources.js'
import { keyAccess } from '../../../src/auth/access.js'

import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js'

const text = (r: ReadResourceResult): string => {
  const c = r.contents[0]
  return 'text' in c ? c.text : ''
}

t.test('issue://{owner}/{repo}/{number} is the issue as markdown', async (t) => {
  const h = await harness(t)
  const res = await h.client.readResource({ uri: 'issue://octo-org/widgets/7' })
  t.match(res.contents[0], { uri: 'issue://octo-org/widgets/7', mimeType: 'text/markdown' })
  t.match(text(res), /^## octo-org\/widgets#7: Widget config ignores environment overrides\n/)
  t.match(text(res), /<<<UNTRUSTED issue #7 body>>>/)
  t.notMatch(text(res), /ignore previous instructions/)
})

t.test('issue://{owner}/{repo}/{number}/comments lists the discussion', async (t) => {
  const h = await harness(t)
  const res = await h.client.readResource({ uri: 'issue://octo-org/widgets/3/comments' })
  t.match(text(res), /^# Comments on octo-org\/widgets#3 \(page 1 of 1\)/)
  t.equal(text(res).match(/<<<UNTRUSTED comment/g)?.length, 35)
})

t.test('issue://{owner}/{repo}/open lists open issues without pull requests', async (t) => {
  const h = await harness(t)
  const res = await h.client.readResource({ uri: 'issue://octo-org/gadgets/open' })
  t.equal(text(res), '# Open issues in octo-org/gadgets\n\n' + [
    '- #6 (open) Gadget LED stays on after shutdown by @erin, 0 comments, updated 2025-05-30',
    '- #4 (open) Support USB-C power delivery profiles [enhancement, help wanted] by @alice, 0 comments, updated 2025-05-28',
    '- #2 (open) Add battery level to the gadget status API [enhancement] by @carol, 0 comments, updated 2025-05-21',
    '- #1 (open) Gadget pairing fails over Bluetooth LE [bug] by @bob, 3 comments, updated 2025-05-31',
  ].join('\n'))
})

t.test('failures are clean JSON-RPC errors', async (t) => {
  const h = await harness(t)
  await t.rejects(h.client.readResource({ uri: 'issue://octo-org/widgets/9999' }),
    { code: RESOURCE_NOT_FOUND, message: /Not found: issue #9999 in octo-org\/widgets/ })
  await t.rejects(h.client.readResource({ uri: 'issue://octo-org/widgets/13' }), { code: RESOURCE_NOT_FOUND, message: /Gone/ })
  await t.rejects(h.client.readResource({ uri: 'issue://octo-org/widgets/4' }), { code: ErrorCode.InvalidParams, message: /pull request/ })
  await t.rejects(h.client.readResource({ uri: 'issue://octo-org/widgets/0' }), { code: ErrorCode.InvalidParams, message: /\/number/ })
  await t.rejects(h.client.readResource({ uri: 'issue://bad owner!/widgets/1' }), { code: ErrorCode.InvalidParams, message: /\/owner/ })
  await t.rejects(h.client.readResource({ uri: 'file:///etc/passwd' }), { code: RESOURCE_NOT_FOUND })
  h.standin.setRateLimit(0, Math.floor(Date.now() / 1000) + 600)
  await t.rejects(h.client.readResource({ uri: 'issue://octo-org/widgets/open' }),
    { code: ErrorCode.InternalError, message: /rate limit exhausted/, data: { status: 403 } })
})

t.test('completion/complete suggests owners, repos and issue numbers', async (t) => {
  const h = await harness(t)
  const ref = { type: 'ref/resource' as const, uri: 'issue://{owner}/{repo}/{number}' }
  const owners = await h.client.complete({ ref, argument: { name: 'owner', value: 'octo' } })
  t.same(owners.completion.values.sort(), ['octo-org', 'octo-user'])
  const repos = await h.client.complete({ ref, argument: { name: 'repo', value: '' }, context: { arguments: { owner: 'octo-org' } } })
  t.same(repos.completion.values.sort(), ['gadgets', 'widgets'])
  const numbers = await h.client.complete({ ref, argument: { name: 'number', value: '3' }, context: { arguments: { owner: 'octo-org', repo: 'widgets' } } })
  t.ok(numbers.completion.values.length > 0)
  t.ok(numbers.completion.values.every((n) => n.startsWith('3')), 'prefix applied')
  t.notOk(numbers.completion.values.includes('32'), '#32 is a pull request')
  const prompt = await h.client.complete({ ref: { type: 'ref/prompt', name: 'weekly-summary' }, argument: { name: 'repo', value: 'dot' } })
  t.same(prompt.completion, { values: ['dotfiles'], total: 1, hasMore: false })
  const listings = h.standin.requests.filter((r) => r.path.startsWith('/user/repos')).length
  t.equal(listings, 1, 'the repository listing is fetched once and reused')
  const unknown = await h.client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'owner', value: '' } })
  t.same(unknown.completion, { values: [], total: 0, hasMore: false }, 'an unknown reference completes to nothing')
  const unknownTemplate = await h.client.complete({ ref: { type: 'ref/resource', uri: 'file:///{x}' }, argument: { name: 'x', value: '' } })
  t.same(unknownTemplate.completion.values, [])
  const before = h.standin.requests.length
  for (const [owner, repo] of [['%00', '_'], ['octo-org%2F..', 'x'], ['-leading', 'widgets'], ['octo-org', '..']]) {
    const odd = await h.client.complete({ ref, argument: { name: 'number', value: '' }, context: { arguments: { owner, repo } } })
    t.same(odd.completion.values, [], `${owner}/${repo}`)
  }
  t.equal(h.standin.requests.length, before, 'malformed names are never looked up on GitHub')
  const none = await h.client.complete({ ref: { type: 'ref/prompt', name: 'bug-report-template' }, argument: { name: 'owner', value: '' } })
  t.same(none.completion.values, [], 'not an argument of that prompt')
})

t.test('completion respects the key\'s allowlist', async (t) => {
  const h = await harness(t, { access: keyAccess(['issues:read'], ['octo-org/widgets']) })
  const ref = { type: 'ref/resource' as const, uri: 'issue://{owner}/{repo}/open' }
  t.same((await h.client.complete({ ref, argument: { name: 'owner', value: '' } })).completion.values, ['octo-org'])
  const repos = await h.client.complete({ ref, argument: { name: 'repo', value: '' }, context: { arguments: { owner: 'octo-org' } } })
  t.same(repos.completion.values, ['widgets'])
})
