// Building blocks for the sample data: a fixed clock and deterministic comment threads, so every
// run (demo, tests, benchmarks) sees byte-identical payloads for the seeded records.
import type { AuthorAssociation, SeedComment } from './types.js'

// All seeded dates are relative to this instant. Callers computing "the last 7 days" against the
// sample data should use it as "now" (passing `since`), not the wall clock.
export const SEED_BASE_DATE = '2025-06-02T12:00:00Z'
const BASE_MS = Date.parse(SEED_BASE_DATE)
const DAY_MS = 86_400_000

/** ISO timestamp (GitHub's second precision, `Z` suffix) `days` before the base date. */
export function daysAgo(days: number): string {
  return new Date(BASE_MS - Math.round(days * DAY_MS / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

// Who is who in octo-org: used for author_association of generated comments.
const ASSOCIATION: Record<string, AuthorAssociation> = {
  'octo-bot': 'MEMBER', alice: 'MEMBER', bob: 'COLLABORATOR', carol: 'CONTRIBUTOR',
  dave: 'CONTRIBUTOR', erin: 'NONE', 'octo-user': 'OWNER',
}
export function associationOf(login: string): AuthorAssociation {
  return ASSOCIATION[login] ?? 'NONE'
}

const LINES = [
  'I can reproduce this on the latest release.',
  'Thanks for the report! Could you share the widget config you are using?',
  'Same here, on Firefox 126 and Chrome 125.',
  'This looks related to the layout refactor in 2.3.',
  'I have a fix locally, will open a PR.',
  'Confirmed fixed on main, thanks!',
  '+1, this blocks our upgrade.',
  'Added a minimal reproduction: https://example.com/repro',
]
const COMMENTERS = ['alice', 'bob', 'carol', 'octo-bot', 'dave', 'erin']

let nextCommentId = 7_000_001

/**
 * `count` comments spread evenly between `fromDays` and `toDays` ago. Ids come from one running
 * counter, so comment ids are unique across the whole seed (as on GitHub) and stable per build.
 */
export function makeComments(count: number, fromDays: number, toDays: number, salt = 0): SeedComment[] {
  const out: SeedComment[] = []
  for (let i = 0; i < count; i++) {
    const when = daysAgo(fromDays - ((fromDays - toDays) * (i + 1)) / count)
    const user = COMMENTERS[(i + salt) % COMMENTERS.length]
    const line = LINES[(i * 3 + salt) % LINES.length]
    out.push({
      id: nextCommentId++,
      user,
      body: count > 10 ? `${line} (report ${i + 1})` : line,
      created_at: when,
      updated_at: when,
      author_association: associationOf(user),
    })
  }
  return out
}

/** GitHub's nine default labels plus two custom ones, with ids starting at `firstId`. */
export function defaultLabels(firstId: number, extra: Array<[string, string, string]> = []) {
  const rows: Array<[string, string, string, boolean]> = [
    ['bug', 'd73a4a', "Something isn't working", true],
    ['documentation', '0075ca', 'Improvements or additions to documentation', true],
    ['duplicate', 'cfd3d7', 'This issue or pull request already exists', true],
    ['enhancement', 'a2eeef', 'New feature or request', true],
    ['good first issue', '7057ff', 'Good for newcomers', true],
    ['help wanted', '008672', 'Extra attention is needed', true],
    ['invalid', 'e4e669', "This doesn't seem right", true],
    ['question', 'd876e3', 'Further information is requested', true],
    ['wontfix', 'ffffff', 'This will not be worked on', true],
    ...extra.map(([n, c, d]): [string, string, string, boolean] => [n, c, d, false]),
  ]
  return rows.map(([name, color, description, isDefault], i) => ({
    id: firstId + i, name, color, description, default: isDefault,
  }))
}
