import t from 'tap'
import { FULL_ACCESS, globToRegExp, keyAccess, repoMatcher, type Scope } from '../../src/auth/access.js'

const access = (repos: string[] | null, scopes: Scope[] = ['issues:read']) => keyAccess(scopes, repos)

t.test('scopes decide read and write separately', async (t) => {
  t.ok(access(null).may('read'))
  t.notOk(access(null).may('write'))
  t.ok(access(null, ['issues:write']).may('write'))
  t.notOk(access(null, ['issues:write']).may('read'), 'write does not imply read')
  t.ok(FULL_ACCESS.may('read') && FULL_ACCESS.may('write'))
})

t.test('refusals name the missing scope and the repository, in words for the model', async (t) => {
  t.equal(access(null).refuseKind('Tool create_issue', 'write'),
    'Tool create_issue is not available to this API key: it needs the issues:write scope.')
  t.match(access(['a/b']).refuseTarget('octo-user/dotfiles'), /^Access to octo-user\/dotfiles is not permitted for this API key\./)
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
  const a = access(['a/*'])
  t.equal(repoMatcher(a), a.reaches, 'the matcher is built once per key, not per call')
})

t.test('an access object is frozen: a handler cannot widen its own grants', async (t) => {
  const a = access(['octo-org/*'])
  t.throws(() => { (a as { repos: unknown }).repos = null })
  t.ok(Object.isFrozen(a))
})
