// The stand-in's payloads must carry every field GitHub's recorded responses carry
// (@octokit/fixtures), so code written against it works against api.github.com.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { components } from '@octokit/openapi-types'
import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'

const scenarios = join(dirname(createRequire(import.meta.url).resolve('@octokit/fixtures/package.json')),
  'scenarios/api.github.com')
interface Recorded { method: string; path: string; status: number; response: unknown }
const fixture = (name: string): Recorded[] =>
  JSON.parse(readFileSync(join(scenarios, name, 'normalized-fixture.json'), 'utf8')) as Recorded[]
const keysOf = (o: unknown): string[] => Object.keys(o as object)
const missing = (recorded: unknown, ours: unknown): string[] =>
  keysOf(recorded).filter((k) => !keysOf(ours).includes(k))

const s = await startGitHubStandin()
t.teardown(() => s.close())
type Schema = components['schemas']
const get = async <T>(path: string): Promise<T> =>
  (await (await fetch(s.url + path, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })).json()) as T

t.test('issue list items have every field of the paginate-issues recording', async (t) => {
  const recorded = (fixture('paginate-issues')[0].response as unknown[])[0] as Record<string, unknown>
  const items = await get<Array<Record<string, unknown>>>('/repos/octo-org/widgets/issues?state=all&per_page=100')
  for (const item of items) t.same(missing(recorded, item), [], `#${String(item.number)} has all fields`)
  t.same(missing(recorded.user, items[0].user), [], 'nested user object')
  t.same(missing(recorded.reactions, items[0].reactions), [], 'reactions rollup')
  const extras = keysOf(items.find((i) => i.pull_request)).filter((k) => !keysOf(recorded).includes(k))
  t.same(extras.sort(), ['draft', 'pull_request', 'type'], 'only documented extras on a PR item')
})

t.test('single issue (add-labels recording), labels and label lists', async (t) => {
  const [created, labelled] = fixture('add-labels-to-issue')
  const issue = await get<Schema['issue']>('/repos/octo-org/widgets/issues/1')
  t.same(missing(created.response, issue), [])
  const labels = await get<Schema['label'][]>('/repos/octo-org/widgets/labels')
  t.same(keysOf(labels[0]), keysOf((labelled.response as unknown[])[0]), 'label fields, in GitHub order')
  t.same(keysOf(labels[0]), keysOf((fixture('labels')[0].response as unknown[])[0]))
})

t.test('search response (search-issues recording)', async (t) => {
  const recorded = fixture('search-issues')[0].response as { items: unknown[] }
  const ours = await get<{ items: Schema['issue-search-result-item'][] }>('/search/issues?q=repo:octo-org/widgets+safari')
  t.same(keysOf(ours), keysOf(recorded))
  t.ok(ours.items.length > 0)
  t.same(missing(recorded.items[0], ours.items[0]), [], 'search items, including score')
})

t.test('repository (get-repository recording) and repo lists', async (t) => {
  const recorded = fixture('get-repository')[0].response as Record<string, unknown>
  const repo = await get<Schema['full-repository']>('/repos/octo-org/widgets')
  t.same(missing(recorded, repo), [])
  t.same(missing(recorded.owner, repo.owner), [])
  t.match(repo, { full_name: 'octo-org/widgets', html_url: 'https://github.com/octo-org/widgets', url: `${s.url}/repos/octo-org/widgets` })
  t.equal(repo.open_issues_count, 27, 'open issues and PRs, as GitHub counts them')
  const listed = await get<Schema['repository'][]>('/user/repos')
  t.same(listed.map((r) => r.full_name), ['octo-org/gadgets', 'octo-org/widgets', 'octo-user/dotfiles'])
  t.same(missing(recorded, listed[0]).filter((k) => !k.startsWith('allow_')).sort(),
    ['delete_branch_on_merge', 'network_count', 'organization', 'subscribers_count', 'temp_clone_token',
      'use_squash_pr_title_as_default'], 'lists omit only the single-repo extras, as GitHub does')
  t.same((await get<Schema['minimal-repository'][]>('/orgs/octo-org/repos')).map((r) => r.name).sort(), ['gadgets', 'widgets'])
  t.same((await get<Schema['minimal-repository'][]>('/users/octo-user/repos')).map((r) => r.name), ['dotfiles'])
  t.equal((await get<Schema['basic-error']>('/orgs/octo-user/repos')).message, 'Not Found', 'a user is not an org')
})

t.test('errors recording: 422 has message, errors[{resource, code, field}], documentation_url', async (t) => {
  const recorded = fixture('errors')[0].response as { errors: unknown[] }
  const res = await fetch(`${s.url}/repos/octo-org/widgets/issues`, {
    method: 'POST', headers: { authorization: `token ${SANDBOX_TOKEN}` }, body: '{}',
  })
  const ours = (await res.json()) as Schema['validation-error']
  t.equal(res.status, 422)
  t.same(missing(recorded, ours), [])
  t.same(keysOf(ours.errors?.[0]), keysOf(recorded.errors[0]))
})

t.test('/user and /rate_limit', async (t) => {
  const me = await get<Schema['private-user']>('/user')
  t.match(me, { login: 'octo-bot', type: 'User', html_url: 'https://github.com/octo-bot' })
  const rl = await get<Schema['rate-limit-overview']>('/rate_limit')
  t.same(keysOf(rl), ['resources', 'rate'])
  t.same(keysOf(rl.resources.core), ['limit', 'remaining', 'reset', 'used'])
  t.equal(rl.resources.search.limit, 30)
})
