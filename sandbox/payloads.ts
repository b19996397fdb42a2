// Wire shapes for users, labels, issues and comments, field for field as GitHub sends them
// (checked against @octokit/fixtures recordings). API URLs point at the stand-in itself;
// html_url points at https://github.com like the real thing, since clients show it to people.
import type { ReactionKey, SeedComment, SeedData, SeedIssue, SeedLabel, SeedRepo, SeedUser } from './types.js'

export const WEB = 'https://github.com'

/** Rendering context: the stand-in's base URL and the live data to resolve logins against. */
export interface Ctx { api: string; data: SeedData }

const nodeId = (kind: string, id: number): string => Buffer.from(`${kind}${id}`).toString('base64')

export function findUser(data: SeedData, login: string): SeedUser | undefined {
  const want = login.toLowerCase()
  return data.users.find((u) => u.login.toLowerCase() === want)
}

export function userJson(ctx: Ctx, login: string) {
  const u = findUser(ctx.data, login) ?? { login, id: 0, type: 'User' as const }
  const url = `${ctx.api}/users/${encodeURIComponent(u.login)}`
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'Organization' ? '012:Organization' : u.type === 'Bot' ? '03:Bot' : '04:User', u.id),
    avatar_url: `https://avatars.githubusercontent.com/${u.type === 'Bot' ? 'in' : 'u'}/${u.id}?v=4`,
    gravatar_id: '',
    url,
    html_url: u.type === 'Bot' ? `${WEB}/apps/${u.login.replace(/\[bot\]$/, '')}` : `${WEB}/${u.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: u.site_admin ?? false,
  }
}

export const repoApi = (ctx: Ctx, r: SeedRepo): string => `${ctx.api}/repos/${r.owner}/${r.name}`

export function labelJson(ctx: Ctx, r: SeedRepo, l: SeedLabel) {
  return {
    id: l.id,
    node_id: nodeId('05:Label', l.id),
    url: `${repoApi(ctx, r)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.default,
    description: l.description,
  }
}

/** Labels are stored by name on issues; GitHub matches label names case-insensitively. */
export function findLabel(r: SeedRepo, name: string): SeedLabel | undefined {
  const want = name.toLowerCase()
  return r.labels.find((l) => l.name.toLowerCase() === want)
}

export function issueLabelsJson(ctx: Ctx, r: SeedRepo, i: SeedIssue) {
  return i.labels.flatMap((name) => { const l = findLabel(r, name); return l ? [labelJson(ctx, r, l)] : [] })
}

const REACTIONS: ReactionKey[] = ['+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes']
function reactionsJson(url: string, counts: Partial<Record<ReactionKey, number>> = {}) {
  const out: Record<string, string | number> = { url, total_count: 0 }
  for (const k of REACTIONS) out[k] = counts[k] ?? 0
  out.total_count = REACTIONS.reduce((sum, k) => sum + (counts[k] ?? 0), 0)
  return out
}

/**
 * An issue (or PR seen through the issues API). `single` adds the fields GitHub sends only on
 * GET/PATCH of one issue (closed_by); `score` is added by search.
 */
export function issueJson(ctx: Ctx, r: SeedRepo, i: SeedIssue, opts: { single?: boolean; score?: number } = {}) {
  const repoUrl = repoApi(ctx, r)
  const url = `${repoUrl}/issues/${i.number}`
  const web = `${WEB}/${r.owner}/${r.name}`
  const pr = i.pull_request
  const assignees = i.assignees.map((a) => userJson(ctx, a))
  return {
    url,
    repository_url: repoUrl,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: pr ? `${web}/pull/${i.number}` : `${web}/issues/${i.number}`,
    id: i.id,
    node_id: nodeId(pr ? '011:PullRequest' : '05:Issue', i.id),
    number: i.number,
    title: i.title,
    user: userJson(ctx, i.user),
    labels: issueLabelsJson(ctx, r, i),
    state: i.state,
    locked: i.locked,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    comments: i.comments.length,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    author_association: i.author_association,
    type: null,
    active_lock_reason: null,
    ...(pr ? {
      draft: pr.draft ?? false,
      pull_request: {
        url: `${repoUrl}/pulls/${i.number}`,
        html_url: `${web}/pull/${i.number}`,
        diff_url: `${web}/pull/${i.number}.diff`,
        patch_url: `${web}/pull/${i.number}.patch`,
        merged_at: pr.merged_at,
      },
    } : {}),
    body: i.body,
    ...(opts.single ? { closed_by: i.closed_by ? userJson(ctx, i.closed_by) : null } : {}),
    reactions: reactionsJson(`${url}/reactions`, i.reactions),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: i.state_reason,
    ...(opts.score === undefined ? {} : { score: opts.score }),
  }
}

export function commentJson(ctx: Ctx, r: SeedRepo, i: SeedIssue, c: SeedComment) {
  const url = `${repoApi(ctx, r)}/issues/comments/${c.id}`
  return {
    url,
    html_url: `${WEB}/${r.owner}/${r.name}/${i.pull_request ? 'pull' : 'issues'}/${i.number}#issuecomment-${c.id}`,
    issue_url: `${repoApi(ctx, r)}/issues/${i.number}`,
    id: c.id,
    node_id: nodeId('012:IssueComment', c.id),
    user: userJson(ctx, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: c.author_association,
    body: c.body,
    reactions: reactionsJson(`${url}/reactions`),
    performed_via_github_app: null,
  }
}
