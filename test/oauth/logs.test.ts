import t from 'tap'
import { SANDBOX_OAUTH_APP } from '../../sandbox/github-standin.js'
import { MCP_HEADERS, initializeBody } from '../helper.js'
import { ENCRYPTION_KEY, oauthGateway, signIn } from './helpers.js'

// Everything the gateway logs, at trace level, through a whole sign-in and a user's work: tool
// calls (one failing upstream), a refresh, a refused token and a revocation. No secret of any kind
// may appear in it; the audit line names the user.

t.test('no GitHub token, gateway token, client secret or encryption key in the logs; the audit line names github:<login>', async (t) => {
  const logs: string[] = []
  const gw = await oauthGateway(t, {}, undefined, logs)
  const { provider, client } = await signIn(t, gw.url, 'alice')
  t.teardown(() => client.close())

  t.notOk((await client.callTool({ name: 'create_issue', arguments: { owner: 'octo-org', repo: 'widgets', title: 'Logged as alice' } })).isError)
  t.notOk((await client.callTool({ name: 'list_issues', arguments: { owner: 'octo-org', repo: 'widgets' } })).isError)
  gw.github.failNext({ method: 'GET', path: '/repos/octo-org/widgets/issues/1' }, { status: 401, message: 'Bad credentials' })
  t.equal((await client.callTool({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: 1 } })).isError, true, 'an upstream failure (its error is logged)')

  const first = provider.saved!
  const tokenRes = await fetch(`${gw.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '', client_id: provider.client?.client_id ?? '' }),
  })
  const refreshed = await tokenRes.json() as { access_token: string, refresh_token: string }
  const post = (token: string) => fetch(`${gw.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` }, body: JSON.stringify(initializeBody()) })
  t.equal((await post(refreshed.access_token)).status, 200)
  t.equal((await post(`${refreshed.access_token}x`)).status, 401, 'a refused token (its refusal is logged)')
  await fetch(`${gw.url}/oauth/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: refreshed.refresh_token, client_id: provider.client?.client_id ?? '' }) })

  const githubTokens = [...gw.github.userTokens.keys()]
  t.ok(githubTokens.length > 0 && githubTokens.every((x) => x.startsWith('gho_')), 'the sandbox issued GitHub user tokens')
  t.ok(logs.length > 50, `the gateway logged (${logs.length} lines)`)
  const all = logs.join('\n')
  t.notMatch(all, /gho_/, 'no GitHub user token')
  const secrets: Array<[string, string]> = [
    ['access token', first.access_token], ['refresh token', first.refresh_token ?? ''],
    ['refreshed access token', refreshed.access_token], ['refreshed refresh token', refreshed.refresh_token],
    ['GitHub client secret', SANDBOX_OAUTH_APP.clientSecret], ['TOKEN_ENCRYPTION_KEY', ENCRYPTION_KEY],
  ]
  for (const [name, secret] of secrets) {
    t.ok(secret.length > 10, `${name} is known to the test`)
    t.notOk(all.includes(secret), `no ${name}`)
  }
  const audit = logs.map((l) => JSON.parse(l) as { msg?: string, key?: string, tool?: string }).filter((l) => l.msg === 'tool call')
  t.same(audit.map((l) => [l.tool, l.key]), [['create_issue', 'github:alice'], ['list_issues', 'github:alice'], ['get_issue', 'github:alice']])
})
