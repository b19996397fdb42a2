// The stand-in's data model. It is deliberately smaller than GitHub's payloads: the wire shapes
// (URLs, node ids, nested user objects) are derived from these records by payloads.ts, so a test
// that mutates `standin.state` only has to touch the facts, never a URL.

export type UserType = 'User' | 'Organization' | 'Bot'
export type AuthorAssociation =
  | 'OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR' | 'FIRST_TIME_CONTRIBUTOR' | 'NONE'
export type StateReason = 'completed' | 'not_planned' | 'reopened' | 'duplicate'
export type ReactionKey = '+1' | '-1' | 'laugh' | 'hooray' | 'confused' | 'heart' | 'rocket' | 'eyes'

export interface SeedUser {
  login: string
  id: number
  type: UserType
  name?: string | null
  site_admin?: boolean
}

export interface SeedLabel {
  id: number
  name: string
  color: string
  description: string | null
  default: boolean
}

export interface SeedComment {
  id: number
  user: string // login
  body: string
  created_at: string
  updated_at: string
  author_association: AuthorAssociation
}

export interface SeedIssue {
  id: number
  number: number
  title: string
  body: string | null
  user: string // login of the author
  state: 'open' | 'closed'
  state_reason: StateReason | null
  locked: boolean
  labels: string[] // label names; resolved against the repo's labels when rendered
  assignees: string[] // logins; the first one is `assignee`
  created_at: string
  updated_at: string
  closed_at: string | null
  closed_by?: string | null
  author_association: AuthorAssociation
  comments: SeedComment[]
  reactions?: Partial<Record<ReactionKey, number>>
  // Present on pull requests: GitHub's issue endpoints return PRs with a `pull_request` key.
  pull_request?: { merged_at: string | null; draft?: boolean }
  // Deleted issues answer 410 Gone and drop out of every list and search.
  gone?: boolean
}

export interface SeedRepo {
  id: number
  owner: string // login of a SeedUser (User or Organization)
  name: string
  description: string | null
  private: boolean
  fork: boolean
  archived: boolean
  language: string | null
  topics: string[]
  default_branch: string
  stargazers_count: number
  forks_count: number
  created_at: string
  updated_at: string
  pushed_at: string
  labels: SeedLabel[]
  issues: SeedIssue[]
}

export interface SeedData {
  // Login of the user the stand-in's token belongs to (GET /user).
  viewer: string
  users: SeedUser[]
  repos: SeedRepo[]
}
