// Child process: the agent workload's GitHub stand-in. It answers after STANDIN_LATENCY_MS
// (GitHub's own latency), enforces GitHub's secondary limits, has people editing the hot issues
// STANDIN_EDITS_PER_SECOND times a second, and reports its usage counters over IPC. Told a hook
// ({type:'webhook'}), it sends signed deliveries for every change, the people's edits included,
// after a ping of the fleet repository, as GitHub does when a hook is created.
// Primary quotas are lifted: the workload spends more than 5,000 requests an hour, and what it
// spends is the figure being measured, not a reason to refuse.
import { startGitHubStandin, type HookTarget, type StandinUsage } from '../../sandbox/github-standin.js'
import { agentSeed, FLEET } from '../agents/seed.js'
import { startPeopleEdits } from '../agents/people.js'

export type UsageMessage = { type: 'usage' } & StandinUsage
export interface FreshLimitsMessage { type: 'fresh-limits' }
/** Where deliveries go from now on (null: no hook); answered once the ping was delivered. */
export interface WebhookMessage { type: 'webhook', target: HookTarget | null }
/** The answer to a WebhookMessage: the ping's status at the receiver (0 without a hook). */
export interface WebhookSetMessage { type: 'webhook-set', pingStatus: number }

const github = await startGitHubStandin({
  host: '127.0.0.1', seed: agentSeed(), secondaryLimits: {}, latencyMs: Number(process.env.STANDIN_LATENCY_MS ?? 60)
})
github.setRateLimit(1_000_000_000)
github.setSearchRateLimit(1_000_000_000)
const stopEdits = startPeopleEdits(github.state, Number(process.env.STANDIN_EDITS_PER_SECOND ?? 2),
  (repo, before) => github.announceIssueChange(repo.owner, repo.name, before))

async function setHook (target: HookTarget | null): Promise<number> {
  await github.webhooksIdle() // deliveries for the previous hook go where they were meant to
  github.setWebhook(target)
  if (target === null) return 0
  github.pingWebhook(FLEET.owner, FLEET.repo)
  await github.webhooksIdle()
  return github.deliveries.findLast((d) => d.event === 'ping')?.status ?? 0
}

process.on('message', (message: { type?: string }) => {
  // Each server's measured run starts with windows of its own, as if it had the token to itself.
  if (message?.type === 'fresh-limits') {
    github.setSecondaryLimits({})
    process.send?.({ type: 'fresh-limits' } satisfies FreshLimitsMessage)
  }
  if (message?.type === 'usage') process.send?.({ type: 'usage', ...github.usage() } satisfies UsageMessage)
  if (message?.type === 'webhook') {
    void setHook((message as WebhookMessage).target).then((pingStatus) => process.send?.({ type: 'webhook-set', pingStatus } satisfies WebhookSetMessage))
  }
})
process.on('disconnect', () => { stopEdits(); void github.close().then(() => process.exit(0)) })
process.send?.({ type: 'ready', url: github.url })
