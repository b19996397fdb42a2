// Arguments aimed at the GitHub domain: path traversal in owner/repo, query injection in search,
// out-of-range numbers, labels with separators. Each generator returns JSON-RPC params for one
// of tools/call, resources/read, prompts/get or completion/complete.
import type { Rng } from './fuzz-rng.js'

const OWNERS = [
  'octo-org', 'octo-user', 'OCTO-ORG', '..', '.', '../..', '%2e%2e', '%2E%2E%2F', 'octo-org/../..', 'a/b', 'octo-org\n',
  '-leading', 'a'.repeat(40), '', ' octo-org', 'octo-org?per_page=100', 'octo-org#x', 'octo%2forg', '\u0000', '..%2f..',
  '..\\..', 'orgs', 'user', '~root'
]
const REPOS = [
  'widgets', 'gadgets', 'dotfiles', '..', '.', '...', '.git', 'widgets/../../user', '%2e%2e', 'widgets%2f..', '%2E%2e',
  'widgets?per_page=100', 'a'.repeat(101), 'widgets\r\n', 'wid gets', 'widgets.', '_', 'issues', '..;', 'widgets#',
  '.%2e', '%2e.', 'x/..'
]
const NUMBERS: unknown[] = [
  1, 2, 3, 0, -1, 1.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 1e308, -1e308, '1', '../1', null, [], {}, '1 OR 1=1', 99_999, '0x10', true
]
const QUERIES = [
  'bug', 'repo:octo-org/widgets bug', 'repo:../.. x', 'is:pr', 'org:evil-org', 'x&per_page=100&q=y', 'q=1#frag',
  'label:"a,b"', '\n', 'a'.repeat(257), 'repo:octo-org/widgets OR repo:secret/x', 'user:octo-org involves:@me',
  '" OR 1=1 --', '%00', '${jndi:ldap://x}', 'repo:octo-org/widgets\nrepo:evil/x', 'repo:"octo-org/widgets" -repo:x',
  '/../../user', ' ', 'type:issue is:open sort:updated', 'repo:%2e%2e/x', 'bug \ud800', '\udfff repo:octo-org/widgets'
]
const LABELS: unknown[] = ['bug', 'a,b', 'x\ny', '', ' ', 'a'.repeat(51), ['nested'], 1, '🙂', '..', 'bug\u0000', 'bug,enhancement\r\nX-Injected: 1']
const STATES: unknown[] = ['open', 'closed', 'all', 'OPEN', 'open&x=1', '', null, 'open closed']
const PAGES: unknown[] = [1, 0, -1, 2, 100, 101, 1000, 1001, 1.5, '2', null, 1e9]
const LOGINS: unknown[] = ['alice', 'octo-bot', '../admin', 'a b', 'dependabot[bot]', '', 'x'.repeat(40)]

type Args = Record<string, unknown>

/** Valid arguments per tool; mutation replaces some of them with values from the pools above. */
const VALID: Record<string, Args> = {
  list_issues: { owner: 'octo-org', repo: 'widgets', state: 'open', limit: 5 },
  list_issues_paginated: { owner: 'octo-org', repo: 'widgets', state: 'all', page: 1, per_page: 10, sort: 'created', direction: 'desc' },
  get_issue: { owner: 'octo-org', repo: 'widgets', issue_number: 1 },
  create_issue: { owner: 'octo-org', repo: 'widgets', title: 'fuzz', body: 'fuzz body', labels: ['bug'], assignees: ['alice'] },
  update_issue: { owner: 'octo-org', repo: 'widgets', issue_number: 2, title: 'fuzz', state: 'open', labels: ['bug'] },
  search_issues: { query: 'widget', limit: 5 },
  batch_label_issues: { owner: 'octo-org', repo: 'widgets', issue_numbers: [1, 2], labels: ['bug'] },
  add_issue_comment: { owner: 'octo-org', repo: 'widgets', issue_number: 1, body: 'fuzz comment' },
  list_issue_comments: { owner: 'octo-org', repo: 'widgets', issue_number: 1, page: 1, per_page: 5 }
}
export const TOOLS = Object.keys(VALID)

function nasty (rng: Rng, field: string): unknown {
  switch (field) {
    case 'owner': return rng.pick(OWNERS)
    case 'repo': return rng.pick(REPOS)
    case 'issue_number': return rng.pick(NUMBERS)
    case 'issue_numbers': return rng.pick<unknown>([[], [1, 1], [-1], Array.from({ length: 26 }, (_, i) => i + 1), [rng.pick(NUMBERS)], 'x'])
    case 'query': return rng.chance(0.8) ? rng.pick(QUERIES) : rng.nastyText(80)
    case 'labels': return rng.chance(0.3) ? rng.pick(LABELS) : [rng.pick(LABELS), rng.pick(LABELS)]
    case 'assignees': return [rng.pick(LOGINS)]
    case 'state': return rng.pick(STATES)
    case 'page': case 'per_page': case 'limit': return rng.pick(PAGES)
    case 'title': case 'body': return rng.chance(0.2) ? rng.hugeText() : rng.nastyText(300)
    default: return rng.weirdValue()
  }
}

export function toolCallParams (rng: Rng): Args {
  const name = rng.chance(0.95) ? rng.pick(TOOLS) : rng.pick(['unknown_tool', '', '../get_issue', 'GET_ISSUE', rng.nastyText(30)])
  const args: Args = { ...(VALID[name] ?? {}) }
  const fields = Object.keys(args)
  const mutations = fields.length === 0 ? 0 : rng.int(0, 3) // 0: a valid call, which must work
  for (let i = 0; i < mutations; i++) {
    const field = rng.pick(fields)
    if (rng.chance(0.15)) delete args[field]
    else args[field] = nasty(rng, field)
  }
  // defineProperty: a plain assignment to '__proto__' would set the prototype, not send the key.
  const extra = { value: rng.weirdValue(), enumerable: true, writable: true, configurable: true }
  if (rng.chance(0.05)) Object.defineProperty(args, rng.pick(['extra', '__proto__', 'constructor', 'owner ']), extra)
  return { name, arguments: rng.chance(0.03) ? rng.weirdValue() : args }
}

export function resourceReadParams (rng: Rng): Args {
  const owner = String(rng.pick(OWNERS))
  const repo = String(rng.pick(REPOS))
  const uri = rng.weighted<() => string>([
    [6, () => `issue://${owner}/${repo}/${String(rng.pick(NUMBERS))}${rng.pick(['', '/comments', '/open', '/../../x', '?x=1'])}`],
    [2, () => `issue://${owner}/${repo}/open`],
    [1, () => rng.pick(['file:///etc/passwd', 'http://169.254.169.254/latest/meta-data', 'issue://', 'issue:///1', '', 'issue://%2e%2e/%2e%2e/1'])],
    [1, () => `issue://octo-org/widgets/${'9'.repeat(rng.int(1, 400))}`]
  ])()
  return { uri }
}

export function promptGetParams (rng: Rng): Args {
  const name = rng.pick(['triage-issue', 'weekly-summary', 'bug-report-template', 'nope', ''])
  const args: Args = { owner: String(rng.pick(OWNERS)), repo: String(rng.pick(REPOS)) }
  if (name === 'triage-issue') args.issue_number = rng.pick(['1', '-1', '0x10', ' 1', '1e3', '2147483648', '', '99999'])
  if (rng.chance(0.1)) args.extra = rng.nastyText(20)
  return { name, arguments: rng.chance(0.05) ? rng.weirdValue() : args }
}

export function completionParams (rng: Rng): Args {
  // Mostly an argument the reference really has, so the completers (and GitHub) are reached.
  const [ref, names] = rng.pick<[Args, string[]]>([
    [{ type: 'ref/prompt', name: 'triage-issue' }, ['owner', 'repo', 'issue_number']],
    [{ type: 'ref/prompt', name: 'weekly-summary' }, ['owner', 'repo']],
    [{ type: 'ref/resource', uri: 'issue://{owner}/{repo}/{number}' }, ['owner', 'repo', 'number']],
    [{ type: 'ref/resource', uri: 'issue://{owner}/{repo}/open' }, ['owner', 'repo']],
    [{ type: 'ref/prompt', name: 'nope' }, ['owner']], [{ type: 'ref/other', name: 'x' }, ['x']]
  ])
  const name = rng.chance(0.85) ? rng.pick(names) : rng.pick(['owner', 'repo', 'issue_number', 'number', 'x'])
  const argument = { name, value: rng.chance(0.7) ? rng.pick(['', 'o', 'w', '1']) : rng.nastyText(30) }
  const context = { arguments: { owner: String(rng.pick(OWNERS)), repo: String(rng.pick(REPOS)) } }
  return rng.chance(0.8) ? { ref, argument, context } : { ref, argument }
}
