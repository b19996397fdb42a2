// Sample data for the GitHub stand-in: the demo, every test and the benchmarks run against it.
// Everything is derived from SEED_BASE_DATE, so payloads are identical from run to run.
import { associationOf, daysAgo, defaultLabels, makeComments } from './seed-kit.js'
import { widgetIssues } from './seed-widgets.js'
import type { SeedData, SeedIssue, SeedRepo } from './types.js'

export type {
  SeedData, SeedRepo, SeedIssue, SeedComment, SeedLabel, SeedUser, AuthorAssociation, StateReason,
} from './types.js'
export { SEED_BASE_DATE, daysAgo } from './seed-kit.js'
export {
  GONE_ISSUE_NUMBER, INJECTION_ISSUE_NUMBER, CONTROL_CHARS_ISSUE_NUMBER, LONG_BODY_ISSUE_NUMBER,
} from './seed-widgets.js'

/** Login the sandbox token authenticates as. */
export const SANDBOX_VIEWER = 'octo-bot'

interface Brief {
  number: number; title: string; body: string | null; author: string; labels?: string[]
  assignees?: string[]; createdDays: number; updatedDays: number; closed?: boolean; comments?: number
  pr?: boolean
}

function brief(firstId: number, b: Brief): SeedIssue {
  const closedAt = b.closed ? daysAgo(b.updatedDays) : null
  return {
    id: firstId + b.number, number: b.number, title: b.title, body: b.body, user: b.author,
    state: b.closed ? 'closed' : 'open', state_reason: b.closed && !b.pr ? 'completed' : null, locked: false,
    labels: b.labels ?? [], assignees: b.assignees ?? [],
    created_at: daysAgo(b.createdDays), updated_at: daysAgo(b.updatedDays), closed_at: closedAt,
    closed_by: b.closed ? b.author : null, author_association: associationOf(b.author),
    comments: makeComments(b.comments ?? 0, b.createdDays, b.updatedDays, b.number + 100),
    reactions: {},
    ...(b.pr ? { pull_request: { merged_at: closedAt, draft: false } } : {}),
  }
}

function repo(id: number, owner: string, name: string, rest: Partial<SeedRepo>): SeedRepo {
  return {
    id, owner, name, description: null, private: false, fork: false, archived: false, language: null,
    topics: [], default_branch: 'main', stargazers_count: 0, forks_count: 0,
    created_at: daysAgo(400), updated_at: daysAgo(1), pushed_at: daysAgo(1), labels: [], issues: [], ...rest,
  }
}

function buildSeed(): SeedData {
  const gadgets: Brief[] = [
    { number: 1, title: 'Gadget pairing fails over Bluetooth LE', body: 'Pairing times out after 30s on Android 14.', author: 'bob', labels: ['bug'], assignees: ['alice'], createdDays: 35, updatedDays: 2, comments: 3 },
    { number: 2, title: 'Add battery level to the gadget status API', body: 'Expose `battery_pct` next to `online`.', author: 'carol', labels: ['enhancement'], createdDays: 30, updatedDays: 12 },
    { number: 3, title: 'Firmware update docs are out of date', body: 'The docs still mention the v1 flasher.', author: 'dave', labels: ['documentation'], createdDays: 26, updatedDays: 20, closed: true, comments: 1 },
    { number: 4, title: 'Support USB-C power delivery profiles', body: null, author: 'alice', labels: ['enhancement', 'help wanted'], createdDays: 18, updatedDays: 5 },
    { number: 5, title: 'Fix pairing timeout on Android 14', body: 'Fixes #1 by retrying the GATT handshake.', author: 'alice', labels: ['bug'], createdDays: 4, updatedDays: 1, pr: true, comments: 1 },
    { number: 6, title: 'Gadget LED stays on after shutdown', body: 'The status LED keeps blinking for ~10 minutes.', author: 'erin', labels: [], createdDays: 3, updatedDays: 3 },
  ]
  const dotfiles: Brief[] = [
    { number: 1, title: 'zsh prompt is slow inside large git repos', body: 'Takes ~2s to render in the monorepo.', author: 'octo-user', labels: ['bug'], assignees: ['octo-user'], createdDays: 15, updatedDays: 6 },
    { number: 2, title: 'Move vim config to lua', body: 'Neovim only from now on.', author: 'octo-user', labels: ['enhancement'], createdDays: 50, updatedDays: 40, closed: true },
  ]
  return {
    viewer: SANDBOX_VIEWER,
    users: [
      { login: 'octo-org', id: 9_000_001, type: 'Organization', name: 'Octo Org' },
      { login: 'octo-user', id: 1001, type: 'User', name: 'Octo User' },
      { login: 'octo-bot', id: 1002, type: 'User', name: 'Octo Bot' },
      { login: 'alice', id: 1003, type: 'User', name: 'Alice Liddell' },
      { login: 'bob', id: 1004, type: 'User', name: 'Bob Builder' },
      { login: 'carol', id: 1005, type: 'User', name: 'Carol Danvers' },
      { login: 'dave', id: 1006, type: 'User', name: null },
      { login: 'erin', id: 1007, type: 'User', name: 'Erin Hunter' },
      { login: 'dependabot[bot]', id: 49_699_333, type: 'Bot' },
    ],
    repos: [
      repo(500_001, 'octo-org', 'widgets', {
        description: 'Composable UI widgets for dashboards', language: 'TypeScript',
        topics: ['widgets', 'ui', 'dashboard'], stargazers_count: 1280, forks_count: 96,
        labels: defaultLabels(2001, [['priority: high', 'b60205', 'Fix before the next release'],
          ['needs triage', 'fbca04', 'Not yet looked at by a maintainer']]),
        issues: widgetIssues(3_000_000),
      }),
      repo(500_002, 'octo-org', 'gadgets', {
        description: 'Firmware and companion app for Octo gadgets', language: 'C',
        topics: ['firmware', 'iot'], stargazers_count: 210, forks_count: 12,
        labels: defaultLabels(2101), issues: gadgets.map((b) => brief(3_100_000, b)),
      }),
      repo(500_003, 'octo-user', 'dotfiles', {
        description: 'My shell and editor configuration', language: 'Shell', default_branch: 'master',
        stargazers_count: 7, labels: defaultLabels(2201), issues: dotfiles.map((b) => brief(3_200_000, b)),
      }),
    ],
  }
}

// Built once; every stand-in gets its own deep copy so instances never share state.
const SEED: SeedData = buildSeed()

/** A fresh, independent copy of the sample data. */
export function createSeed(): SeedData {
  return structuredClone(SEED)
}
