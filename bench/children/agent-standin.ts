// Child process: the agent workload's GitHub stand-in. It answers after STANDIN_LATENCY_MS
// (GitHub's own latency), enforces GitHub's secondary limits, has people editing the hot issues
// STANDIN_EDITS_PER_SECOND times a second, and reports its usage counters over IPC.
// Primary quotas are lifted: the workload spends more than 5,000 requests an hour, and what it
// spends is the figure being measured, not a reason to refuse.
import { startGitHubStandin, type StandinUsage } from '../../sandbox/github-standin.js'
import { agentSeed } from '../agents/seed.js'
import { startPeopleEdits } from '../agents/people.js'

export type UsageMessage = { type: 'usage' } & StandinUsage
export interface FreshLimitsMessage { type: 'fresh-limits' }

const github = await startGitHubStandin({
  host: '127.0.0.1', seed: agentSeed(), secondaryLimits: {}, latencyMs: Number(process.env.STANDIN_LATENCY_MS ?? 60)
})
github.setRateLimit(1_000_000_000)
github.setSearchRateLimit(1_000_000_000)
const stopEdits = startPeopleEdits(github.state, Number(process.env.STANDIN_EDITS_PER_SECOND ?? 2))

process.on('message', (message: { type?: string }) => {
  // Each server's measured run starts with windows of its own, as if it had the token to itself.
  if (message?.type === 'fresh-limits') {
    github.setSecondaryLimits({})
    process.send?.({ type: 'fresh-limits' } satisfies FreshLimitsMessage)
  }
  if (message?.type === 'usage') process.send?.({ type: 'usage', ...github.usage() } satisfies UsageMessage)
})
process.on('disconnect', () => { stopEdits(); void github.close().then(() => process.exit(0)) })
process.send?.({ type: 'ready', url: github.url })
