import t from 'tap'
import { allows, globToRegExp, repoMatcher, type Access } from '../../src/mcp/access.js'

const access = (repos: string[] | null, scopes: Access['scopes'] = new Set(['issues:read'])): Access => ({ scopes, repos })

t.test('scopes decide read and write separately', async (t) => {
  t.ok(allows(access(null), 'read'))
  t.notOk(allows(access(null), 'write'))
  t.ok(allows(access(null, new Set(['issues:write'])), 'write'))
  t.notOk(allows(access(null, new Set(['issues:write'])), 'read'), 'write does not imply read')
})

t.test('repo globs match one path segment per star, case-insensitively', async (t) => {
  const m = repoMatcher(access(['octo-org/*', 'octo-user/dotfiles']))
  t.ok(m('octo-org/widgets'))
  t.ok(m('OCTO-ORG/Widgets'), 'GitHub names are case-insensitive')
  t.ok(m('octo-user/dotfiles'))
  t.notOk(m('octo-user/other'))
  t.notOk(m('octo-org-evil/widgets'), 'owner prefix is not enough')
  t.notOk(m('octo-org/widgets/extra'), 'a star never crosses a slash')
  t.notOk(globToRegExp('octo.org/*').test('octoXorg/x'), 'regex metacharacters are literal')
})

t.test('null repos allows every repository; an empty list allows none', async (t) => {
  t.ok(repoMatcher(access(null))('anyone/anything'))
  t.notOk(repoMatcher(access([]))('octo-org/widgets'))
})

t.test('the compiled matcher is reused for the same allowlist array', async (t) => {
  const repos = ['octo-org/*']
  t.equal(repoMatcher(access(repos)), repoMatcher(access(repos)))
})
