import { randomBytes } from 'node:crypto'
import { startGitHubStandin, SANDBOX_OAUTH_APP, SANDBOX_TOKEN } from './github-standin.js'
import { createSeed } from './seed.js'
import { rebaseSeed } from './rebase.js'
import { demoBanner } from './demo-banner.js'

// `npm run demo`: the real gateway (same entry, config checks and shutdown as production)
// against the bundled GitHub sandbox on loopback. No token, no internet.
// Dated around today, so "this week" in weekly-summary means this week.
const sandbox = await startGitHubStandin({ port: Number(process.env.SANDBOX_PORT ?? 0), seed: rebaseSeed(createSeed(), new Date()) })
const DEMO_RATE_LIMIT_MAX = 1000
const key = process.env.DEMO_API_KEY ?? `demo-${randomBytes(18).toString('base64url')}`

process.env.GITHUB_TOKEN = SANDBOX_TOKEN
process.env.GITHUB_API_URL = sandbox.url
process.env.AUTH_KEYS = key
process.env.NODE_ENV ??= 'development'
process.env.LOG_LEVEL ??= 'warn'
// Exploring costs requests: each MCP Inspector CLI call is an initialize, a notification, the
// call and a close. The production default would run out within minutes; the user's own
// setting still wins.
if (!process.env.RATE_LIMIT_MAX) process.env.RATE_LIMIT_MAX = String(DEMO_RATE_LIMIT_MAX)
// Live updates: the sandbox signs webhooks with this secret and sends them to the gateway, so a
// client subscribed to an issue:// resource hears when it changes.
process.env.GITHUB_WEBHOOK_SECRET ??= randomBytes(24).toString('base64url')

// Sign in with GitHub as well: the sandbox plays GitHub's web flow (a page to pick a sandbox
// user), so OAuth clients can connect by URL alone and act as that user. An OAuth setting of the
// user's own leaves this out.
const port = process.env.PORT ?? '3001'
if (!['PUBLIC_URL', 'GITHUB_OAUTH_CLIENT_ID', 'OAUTH_ISSUER'].some((name) => process.env[name])) {
  const host = process.env.HOST ?? '127.0.0.1'
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  process.env.PUBLIC_URL = `http://${reach.includes(':') ? `[${reach}]` : reach}:${port}`
  process.env.GITHUB_WEB_URL = sandbox.url
  process.env.GITHUB_OAUTH_CLIENT_ID = SANDBOX_OAUTH_APP.clientId
  process.env.GITHUB_OAUTH_CLIENT_SECRET = SANDBOX_OAUTH_APP.clientSecret
}

const { start } = await import('../src/server.js')
const app = await start()
const { HOST, PORT } = app.config
const url = `http://${HOST.includes(':') ? `[${HOST}]` : HOST}:${PORT}/mcp`
// The sandbox reaches the gateway on loopback whatever address it listens on.
const local = HOST === '0.0.0.0' || HOST === '::' ? '127.0.0.1' : HOST
const webhookUrl = `http://${local.includes(':') ? `[${local}]` : local}:${PORT}/webhooks/github`
sandbox.setWebhook({ url: webhookUrl, secret: process.env.GITHUB_WEBHOOK_SECRET })
for (const r of sandbox.state.repos) sandbox.pingWebhook(r.owner, r.name)

process.stdout.write(demoBanner({
  url, key, sandboxUrl: sandbox.url, webhookUrl, rateLimit: app.config.RATE_LIMIT_MAX, rateWindowMs: app.config.RATE_LIMIT_WINDOW_MS,
  oauth: app.config.GITHUB_WEB_URL === sandbox.url,
}))
