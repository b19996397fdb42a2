// The gateway talks to the stand-in through Octokit; prove the real client accepts its answers
// (pagination via Link, RequestError statuses, conditional requests) without any special casing.
import { Octokit } from '@octokit/rest'
import t from 'tap'
import { startGitHubStandin, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'

const s = await startGitHubStandin()
t.teardown(() => s.close())
const quiet = { debug() {}, info() {}, warn() {}, error() {} } // expected failures need no console noise
const octokit = new Octokit({ auth: SANDBOX_TOKEN, baseUrl: s.url, log: quiet })
const owner = 'octo-org'
const repo = 'widgets'

t.test('octokit.paginate walks every page via the Link header', async (t) => {
  const all = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: 'all', per_page: 9 })
  t.equal(all.length, 40)
  t.equal(all.filter((i) => i.pull_request).length, 11)
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: 3, per_page: 10 })
  t.equal(comments.length, 35)
  const found = await octokit.paginate(octokit.rest.search.issuesAndPullRequests, { q: 'org:octo-org is:open', per_page: 10 })
  t.equal(found.length, 32, 'search pagination unwraps items')
})

t.test('errors surface as RequestError with GitHub status and message', async (t) => {
  await t.rejects(octokit.rest.issues.get({ owner, repo, issue_number: 9999 }), { status: 404, message: /Not Found/ })
  await t.rejects(octokit.rest.issues.get({ owner, repo, issue_number: 13 }), { name: 'HttpError', status: 410 })
  await t.rejects(octokit.rest.issues.create({ owner, repo, title: '' }), { status: 422, message: /Validation Failed/ })
  const anon = new Octokit({ auth: 'wrong', baseUrl: s.url, log: quiet })
  await t.rejects(anon.rest.users.getAuthenticated(), { status: 401, message: /Bad credentials/ })
})

t.test('writes through octokit: create, add labels, comment', async (t) => {
  t.teardown(() => s.reset())
  const { data: issue, status } = await octokit.rest.issues.create({ owner, repo: 'gadgets', title: 'From Octokit', labels: ['bug'] })
  t.equal(status, 201)
  const { data: labels } = await octokit.rest.issues.addLabels({ owner, repo: 'gadgets', issue_number: issue.number, labels: ['question'] })
  t.same(labels.map((l) => l.name), ['bug', 'question'])
  const { data: comment } = await octokit.rest.issues.createComment({ owner, repo: 'gadgets', issue_number: issue.number, body: 'hi' })
  t.equal(comment.body, 'hi')
})

t.test('conditional requests: Octokit surfaces a 304 as a RequestError with status 304', async (t) => {
  const first = await octokit.rest.issues.get({ owner, repo, issue_number: 3 })
  const etag = first.headers.etag as string
  await t.rejects(octokit.rest.issues.get({ owner, repo, issue_number: 3, headers: { 'if-none-match': etag } }),
    { name: 'HttpError', status: 304 })
})
