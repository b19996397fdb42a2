import t from 'tap'
import { startGitHubStandin, SANDBOX_OAUTH_APP, SANDBOX_TOKEN } from '../../sandbox/github-standin.js'

// The sandbox's GitHub OAuth web flow: pick a user, code to the redirect URI, code for a token
// (GitHub's 200-with-error answers), and API calls with that token act as that user.
const s = await startGitHubStandin()
t.teardown(() => s.close())
t.beforeEach(() => s.reset())

const CALLBACK = 'http://127.0.0.1:9/callback'
const authorizeUrl = (extra: Record<string, string> = {}) => `${s.url}/login/oauth/authorize?${new URLSearchParams({
  client_id: SANDBOX_OAUTH_APP.clientId, redirect_uri: CALLBACK, scope: 'repo', state: 'st-1', ...extra,
})}`

async function signIn (login: string): Promise<string> {
  const res = await fetch(authorizeUrl({ sandbox_login: login }), { redirect: 'manual' })
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? ''
  const tok = await fetch(`${s.url}/login/oauth/access_token`, {
    method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: SANDBOX_OAUTH_APP.clientId, client_secret: SANDBOX_OAUTH_APP.clientSecret, code, redirect_uri: CALLBACK }),
  })
  return ((await tok.json()) as { access_token: string }).access_token
}

t.test('the authorize page lists sandbox users; picking one redirects with code and state', async (t) => {
  const page = await fetch(authorizeUrl())
  const html = await page.text()
  t.equal(page.status, 200)
  t.match(html, /data-login="alice"/)
  t.notMatch(html, /data-login="octo-org"/, 'organisations cannot sign in')
  const res = await fetch(authorizeUrl({ sandbox_login: 'alice' }), { redirect: 'manual' })
  t.equal(res.status, 302)
  const to = new URL(res.headers.get('location') ?? '')
  t.equal(`${to.origin}${to.pathname}`, CALLBACK)
  t.match(to.searchParams.get('code'), /^[0-9a-f]{20}$/)
  t.equal(to.searchParams.get('state'), 'st-1')
})

t.test('an unknown client id gets a 404 page, never a redirect', async (t) => {
  const res = await fetch(authorizeUrl({ client_id: 'nope', sandbox_login: 'alice' }), { redirect: 'manual' })
  t.equal(res.status, 404)
  t.equal(res.headers.get('location'), null)
})

t.test('the code buys one token; a second use, a wrong secret or another redirect_uri get GitHub\'s errors', async (t) => {
  const res = await fetch(authorizeUrl({ sandbox_login: 'bob' }), { redirect: 'manual' })
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? ''
  const exchange = async (fields: Record<string, string>) => {
    const r = await fetch(`${s.url}/login/oauth/access_token`, {
      method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: SANDBOX_OAUTH_APP.clientId, client_secret: SANDBOX_OAUTH_APP.clientSecret, code, redirect_uri: CALLBACK, ...fields }),
    })
    t.equal(r.status, 200, 'GitHub answers errors here with 200')
    return await r.json() as Record<string, string>
  }
  t.equal((await exchange({ client_secret: 'wrong' })).error, 'incorrect_client_credentials')
  t.equal((await exchange({ redirect_uri: 'http://127.0.0.1:9/other' })).error, 'redirect_uri_mismatch')
  // The mismatch used the code up, as a failed exchange does on GitHub.
  t.equal((await exchange({})).error, 'bad_verification_code')
  const fresh = await signIn('bob')
  t.match(fresh, /^gho_/)
})

t.test('API calls with a user token act as that user: GET /user, and the author of a new issue', async (t) => {
  const token = await signIn('carol')
  const me = await fetch(`${s.url}/user`, { headers: { authorization: `Bearer ${token}` } })
  t.match(await me.json(), { login: 'carol', id: 1005, type: 'User' })
  const created = await fetch(`${s.url}/repos/octo-org/widgets/issues`, {
    method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'from carol' }),
  })
  t.equal(created.status, 201)
  t.equal(((await created.json()) as { user: { login: string } }).user.login, 'carol')
  const service = await fetch(`${s.url}/user`, { headers: { authorization: `token ${SANDBOX_TOKEN}` } })
  t.equal(((await service.json()) as { login: string }).login, 'octo-bot', 'the service token is still the bot')
  const bogus = await fetch(`${s.url}/user`, { headers: { authorization: 'token gho_notissued' } })
  t.equal(bogus.status, 401)
})
