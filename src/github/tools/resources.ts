// The issue:// resource templates, as markdown: one issue, its comments, a repository's open issues.
import { Type } from '@sinclair/typebox'
import { defineTemplate } from '../../mcp/catalog.js'
import { commentMarkdown, issueAnswer, issueLine, toComment, toIssue } from '../presentation/format.js'
import { COMMENT_BODY_MAX, LIST_BODY_MAX, type DomainModule } from './module.js'
import { readEach, unreadableNote } from '../presentation/read.js'
import { pageLabel } from '../upstream/pagination.js'
import { collectIssues, commentPage, fetchIssue } from '../upstream/queries.js'
import { IssueNumber, RepoArgs } from './schemas.js'
import { commentsTopic, issueTopic, openTopic, repoTopic } from '../webhooks/topics.js'
import { via } from '../upstream/credential.js'

const OPEN_LIMIT = 50
const COMMENTS_PER_PAGE = 50
const IssueParams = Type.Object({ ...RepoArgs, number: IssueNumber })

export const resources: DomainModule = (gh) => ({
  templates: [
    defineTemplate({
      name: 'issue',
      title: 'GitHub issue',
      uriTemplate: 'issue://{owner}/{repo}/{number}',
      description: 'One issue as markdown: metadata and its body (untrusted text, fenced and capped).',
      pattern: /^issue:\/\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/(?<number>\d+)$/,
      params: IssueParams,
      async read (p, ctx) {
        const raw = await fetchIssue(gh, p.owner, p.repo, p.number, via(ctx))
        return issueAnswer(raw, { repo: `${p.owner}/${p.repo}`, number: p.number }).text
      },
      topics: (p) => [issueTopic(p.owner, p.repo, p.number), repoTopic(p.owner, p.repo)],
    }),
    defineTemplate({
      name: 'issue-comments',
      title: 'GitHub issue comments',
      uriTemplate: 'issue://{owner}/{repo}/{number}/comments',
      description: `The first ${COMMENTS_PER_PAGE} comments on an issue as markdown (untrusted text, fenced and capped).`,
      pattern: /^issue:\/\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/(?<number>\d+)\/comments$/,
      params: IssueParams,
      async read (p, ctx) {
        const [, page] = await Promise.all([
          fetchIssue(gh, p.owner, p.repo, p.number, via(ctx)), // pull requests are not issues
          commentPage(gh, p.owner, p.repo, p.number, 1, COMMENTS_PER_PAGE, via(ctx)),
        ])
        const more = page.has_next ? '\n\nMore comments exist: use the list_issue_comments tool with page=2.' : ''
        const { items, unreadable } = readEach(page.comments, (c) => toComment(c, COMMENT_BODY_MAX))
        const list = items.map(commentMarkdown).join('\n\n') || '(no comments)'
        return `# Comments on ${p.owner}/${p.repo}#${p.number} (${pageLabel(page)})\n\n${list}${unreadableNote(unreadable)}${more}`
      },
      topics: (p) => [commentsTopic(p.owner, p.repo, p.number), repoTopic(p.owner, p.repo)],
    }),
    defineTemplate({
      name: 'open-issues',
      title: 'Open issues of a repository',
      uriTemplate: 'issue://{owner}/{repo}/open',
      description: `Up to ${OPEN_LIMIT} open issues (no pull requests), most recently created first, one line each.`,
      pattern: /^issue:\/\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/open$/,
      params: Type.Object(RepoArgs),
      async read (p, ctx) {
        const got = await collectIssues(gh, { owner: p.owner, repo: p.repo, state: 'open', limit: OPEN_LIMIT }, via(ctx))
        const { items, unreadable } = readEach(got.issues, (raw) => toIssue(raw, LIST_BODY_MAX, { repo: `${p.owner}/${p.repo}` }))
        const more = got.hasMore ? `\n\nMore than ${OPEN_LIMIT} open issues: use list_issues_paginated for the rest.` : ''
        const lines = items.map(issueLine).join('\n') || '(no open issues)'
        return `# Open issues in ${p.owner}/${p.repo}\n\n${lines}${unreadableNote(unreadable)}${more}`
      },
      topics: (p) => [openTopic(p.owner, p.repo), repoTopic(p.owner, p.repo)],
    }),
  ],
})
