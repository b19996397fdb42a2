import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'
import { daysAgo } from '../../sandbox/seed.js'

const s = await startGitHubStandin()
t.teardown(() => s.close())
t.beforeEach(() => s.reset())

interface Item { number: number; repository_url: string; state: string; labels: Array<{ name: string }>; pull_request?: unknown; score: number }

interface SearchBody {
  total_count: number; incomplete_results: boolean; items: Item[]; message: string; errors: Array<Record<string, string>>
}

async function search(q: string, extra = '') {
  const res = await fetch(`${s.url}/search/issues?q=${encodeURIComponent(q)}${extra}`, {
    headers: { authorization: `token ${SANDBOX_TOKEN}` },
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as SearchBody }
}
const numbers = (items: Item[]): number[] => items.map((i) => i.number).sort((a, b) => a - b)

t.test('result shape and the search quota bucket', async (t) => {
  const r = await search('repo:octo-org/widgets crash')
  t.equal(r.status, 200)
  t.same(Object.keys(r.body), ['total_count', 'incomplete_results', 'items'])
  t.equal(r.body.incomplete_results, false)
  t.same(numbers(r.body.items), [3, 23], 'free text matches title or body, case-insensitively')
  t.equal(r.body.items[0].score, 1)
  t.equal(r.headers.get('x-ratelimit-resource'), 'search')
  t.equal(r.headers.get('x-ratelimit-limit'), '30')
  t.equal(r.headers.get('x-ratelimit-remaining'), '29')
})

t.test('scope qualifiers: repo:, org:, user:', async (t) => {
  const gadgets = await search('repo:octo-org/gadgets')
  t.equal(gadgets.body.total_count, 6)
  t.ok((gadgets.body.items as Item[]).every((i) => i.repository_url.endsWith('/repos/octo-org/gadgets')))
  t.equal((await search('org:octo-org')).body.total_count, 46, 'widgets (40) + gadgets (6), never the deleted one')
  t.equal((await search('user:octo-user')).body.total_count, 2)
  t.equal((await search('repo:octo-org/gadgets repo:octo-user/dotfiles')).body.total_count, 8, 'scopes are OR-ed')
  const missing = await search('repo:octo-org/missing bug')
  t.equal(missing.status, 422)
  t.match(missing.body.errors[0], { resource: 'Search', field: 'q', code: 'invalid' })
})

t.test('kind, state, label, author and assignee qualifiers', async (t) => {
  const prs = (await search('repo:octo-org/widgets is:pr')).body.items as Item[]
  t.equal(prs.length, 11)
  t.ok(prs.every((i) => i.pull_request))
  t.equal((await search('repo:octo-org/widgets type:issue')).body.total_count, 29)
  const openBugs = (await search('repo:octo-org/widgets is:issue is:open label:bug')).body.items as Item[]
  t.ok(openBugs.length > 0 && openBugs.every((i) => i.state === 'open' && !i.pull_request &&
    i.labels.some((l) => l.name === 'bug')))
  t.equal((await search('repo:octo-org/widgets state:closed')).body.total_count, 13)
  const gfi = (await search('org:octo-org label:"good first issue"')).body.items as Item[]
  t.same(numbers(gfi), [5, 19, 26, 41], 'quoted label with spaces')
  t.same(numbers((await search('repo:octo-org/widgets label:bug label:"priority: high"')).body.items), [3, 15],
    'several label: qualifiers must all match')
  t.same(numbers((await search('repo:octo-org/widgets author:dependabot[bot]')).body.items), [9, 28])
  t.same(numbers((await search('repo:octo-org/widgets assignee:octo-bot is:open')).body.items), [3, 15, 32, 38])
  t.equal((await search('repo:octo-org/widgets -label:bug is:pr')).body.total_count, 7, 'negated qualifier')
  t.equal((await search('repo:octo-org/widgets no:label')).body.total_count, 2)
})

t.test('date qualifiers, phrases, sorting and pagination', async (t) => {
  const week = (await search(`repo:octo-org/widgets updated:>=${daysAgo(7).slice(0, 10)}`)).body
  t.ok(week.total_count >= 10, 'a weekly window finds recent activity')
  t.same(numbers((await search('repo:octo-org/widgets "heap log"')).body.items), [15])
  const byCreated = (await search('repo:octo-org/widgets', '&sort=created&order=asc&per_page=5')).body.items as Item[]
  t.same(byCreated.map((i) => i.number), [1, 2, 3, 4, 5])
  const page = await search('repo:octo-org/widgets', '&per_page=10&page=2')
  t.equal(page.body.items.length, 10)
  t.match(page.headers.get('link'), /page=3>; rel="next"/)
  t.match(page.headers.get('link'), /q=repo%3Aocto-org%2Fwidgets/)
})

t.test('empty q is 422; exhausted search quota is 403 while core still works', async (t) => {
  const empty = await search('  ')
  t.equal(empty.status, 422)
  t.match(empty.body, { message: 'Validation Failed', errors: [{ resource: 'Search', field: 'q', code: 'missing' }] })
  s.setSearchRateLimit(0)
  const limited = await search('bug')
  t.equal(limited.status, 403)
  t.match(limited.body.message, /API rate limit exceeded/)
  t.equal(limited.headers.get('x-ratelimit-resource'), 'search')
  const core = await fetch(`${s.url}/user`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  t.equal(core.status, 200, 'the core bucket is separate')
})
