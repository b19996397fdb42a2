// The agent workload's GitHub: the sandbox's sample data plus octo-org/fleet, fifty open issues
// with a few comments each, the "hot" issues twenty agents keep reading.
import { associationOf, daysAgo, defaultLabels, makeComments } from '../../sandbox/seed-kit.js'
import { createSeed, type SeedData, type SeedIssue } from '../../sandbox/seed.js'

export const FLEET = { owner: 'octo-org', repo: 'fleet' }
export const HOT_ISSUES = 50
const TOPICS = ['sync stalls', 'retry storm', 'stale cache', 'slow start', 'flaky test', 'bad config', 'lost update', 'memory growth']
const AUTHORS = ['alice', 'bob', 'carol', 'dave', 'erin']
const LABELS = ['bug', 'enhancement', 'question', 'help wanted']

/** A title both the baseline's JSON and the gateway's text carry verbatim: the answer check. */
export const fleetTitle = (n: number): string => `Fleet task ${n}: ${TOPICS[n % TOPICS.length]}`

function fleetIssue (n: number): SeedIssue {
  const author = AUTHORS[n % AUTHORS.length]
  return {
    id: 3_300_000 + n, number: n, title: fleetTitle(n), body: `Seen on node ${n % 7}; steps to reproduce below.`,
    user: author, state: 'open', state_reason: null, locked: false, labels: [LABELS[n % LABELS.length]],
    assignees: n % 3 === 0 ? ['alice'] : [], created_at: daysAgo(60 - n), updated_at: daysAgo((60 - n) / 2),
    closed_at: null, author_association: associationOf(author), comments: makeComments(1 + (n % 4), 60 - n, (60 - n) / 2, n),
    reactions: {}
  }
}

export function agentSeed (): SeedData {
  const seed = createSeed()
  const template = seed.repos[0]
  seed.repos.push({
    ...structuredClone(template), id: 500_010, owner: FLEET.owner, name: FLEET.repo,
    description: 'Fleet operations tracker', labels: defaultLabels(2301),
    issues: Array.from({ length: HOT_ISSUES }, (_, i) => fleetIssue(i + 1))
  })
  return seed
}
