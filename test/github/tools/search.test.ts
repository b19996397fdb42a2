// search_issues: issues unless asked otherwise, and confined to the key's repositories.
import t from 'tap'
import { harness, textOf } from '../harness.js'
import { scopeQuery } from '../../../src/github/tools/search-scope.js'
import { AccessRefusal } from '../../../src/mcp/tool-errors.js'
import { keyAccess } from '../../../src/auth/access.js'
import type { Issue } from '../../../src/github/presentation/outputs.js'

const keyFor = (repos: string[] | null) => keyAccess(['issues:read'], repos)
interface Found { query: string, total_count: number, issues: Issue[], pull_requests: Issue[] }
const resultOf = (r: { structuredContent?: unknown }): Found => r.structuredContent as Found

t.test('searches issues, not pull requests, unless the query says otherwise', async (t) => {
  const h = await harness(t)
  const res = await h.call('search_issues', { query: 'widths' })
  t.match(res.structuredContent, { query: 'widths is:issue', issues: [], pull_requests: [] })
  const prs = await h.call('search_issues', { query: 'widths is:pr' })
  const found = resultOf(prs)
  t.same(found.issues, [])
  t.same(found.pull_requests.map((p) => p.number), [4], 'asked for, and listed apart from issues')
  t.match(textOf(prs), /Pull requests:\n- octo-org\/widgets#4 /)
  const crash = resultOf(await h.call('search_issues', { query: 'crash repo:octo-org/widgets', limit: 5 }))
  t.same(crash.issues.map((i) => i.number).sort(), [23, 3])
})

t.test('a key limited to some repositories only searches those', async (t) => {
  const h = await harness(t, { access: keyFor(['octo-org/gadgets']) })
  const res = await h.call('search_issues', { query: 'pairing' })
  t.equal(resultOf(res).query, 'pairing is:issue repo:octo-org/gadgets')
  t.same(resultOf(res).issues.map((i) => i.repo), ['octo-org/gadgets'])
  const before = h.standin.requests.length
  const refused = await h.call('search_issues', { query: 'crash repo:octo-org/widgets' })
  t.equal(refused.isError, true)
  t.match(textOf(refused), /may not search repo:octo-org\/widgets\. Allowed repositories: octo-org\/gadgets/)
  t.equal(h.standin.requests.length, before, 'refused without a GitHub request')
  t.match(h.events.at(-1), { tool: 'search_issues', outcome: 'refused' })
})

t.test('results outside the allowlist never get through, whatever GitHub returns', async (t) => {
  const h = await harness(t, { access: keyFor(['octo-org/w*']) })
  const res = await h.call('search_issues', { query: 'state:open', limit: 50 })
  const found = resultOf(res)
  t.equal(found.query, 'state:open is:issue user:octo-org', 'a partial pattern searches the owner')
  t.ok(found.issues.length > 0)
  t.ok(found.issues.every((i) => i.repo === 'octo-org/widgets'), 'gadgets results were filtered out')
  t.ok(found.total_count > found.issues.length, 'GitHub did return others')
})

t.test('a query GitHub cannot be sent is refused cleanly', async (t) => {
  const h = await harness(t)
  const res = await h.call('search_issues', { query: 'crash \uD800' })
  t.equal(res.isError, true)
  t.match(textOf(res), /malformed Unicode/)
  t.equal(h.standin.requests.length, 0)
  t.notOk(h.logs.some((l) => l.level === 'error'), 'not logged as an internal failure')
})

t.test('scopeQuery rules', async (t) => {
  t.same(scopeQuery('bug', keyFor(null)), { q: 'bug is:issue', wantsPullRequests: false })
  t.same(scopeQuery('bug is:open', keyFor(null)).q, 'bug is:open is:issue', 'is:open is not a kind')
  t.same(scopeQuery('bug type:pr', keyFor(null)), { q: 'bug type:pr', wantsPullRequests: true })
  t.same(scopeQuery('bug -is:pr', keyFor(null)), { q: 'bug -is:pr', wantsPullRequests: false })
  t.equal(scopeQuery('x', keyFor(['octo-org/*', 'octo-user/dotfiles'])).q, 'x is:issue user:octo-org repo:octo-user/dotfiles')
  t.equal(scopeQuery('x org:octo-org', keyFor(['octo-org/*'])).q, 'x org:octo-org is:issue')
  t.equal(scopeQuery('x -repo:octo-user/dotfiles', keyFor(['octo-org/*'])).q, 'x -repo:octo-user/dotfiles is:issue user:octo-org',
    'an exclusion names no scope')
  t.throws(() => scopeQuery('x org:octo-org', keyFor(['octo-org/widgets'])), AccessRefusal, 'org: needs the whole owner')
  t.throws(() => scopeQuery('x user:octo-user', keyFor(['octo-org/*'])), AccessRefusal)
  t.throws(() => scopeQuery('x repo:"octo-user/dotfiles"', keyFor(['octo-org/*'])), AccessRefusal, 'quoted values too')
  t.throws(() => scopeQuery('x', keyFor(['*/dotfiles'])), /name them with repo:owner\/name/)
  t.equal(scopeQuery('x repo:octo-user/dotfiles', keyFor(['*/dotfiles'])).q, 'x repo:octo-user/dotfiles is:issue')
})
