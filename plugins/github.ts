import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { createGitHubDomain, type GitHubDomain } from '../src/github/index.js'
import { pemFromEnv } from '../src/config.js'
import { HookFreshness } from '../src/github/upstream/freshness.js'

declare module 'fastify' {
  interface FastifyInstance {
    github: GitHubDomain
  }
}

// One GitHub client (and connection pool, ETag cache, tool catalog) per process, shared by
// every session. The HTTP layer sees only the catalog, never Octokit.
async function github (app: FastifyInstance) {
  const domain = createGitHubDomain({
    ...(app.config.GITHUB_APP_ID !== undefined
      ? { app: { appId: app.config.GITHUB_APP_ID, privateKey: pemFromEnv(app.config.GITHUB_APP_PRIVATE_KEY!), installationId: app.config.GITHUB_APP_INSTALLATION_ID } }
      : { token: app.config.GITHUB_TOKEN }),
    baseUrl: app.config.GITHUB_API_URL,
    requestTimeoutMs: app.config.GITHUB_REQUEST_TIMEOUT_MS,
    logger: app.log.child({ component: 'github' }),
    confirmBatchLabelOver: app.config.CONFIRM_BATCH_LABEL_OVER,
    // Cached reads may stay fresh without asking only where webhooks can keep them so.
    freshness: app.config.GITHUB_WEBHOOK_SECRET === undefined ? undefined : new HookFreshness(app.config.WEBHOOK_FRESHNESS_MS)
  })
  app.decorate('github', domain)
  app.addHook('onClose', async () => { await domain.close() })
}

export default fp(github, { name: 'github', dependencies: ['env'] })
