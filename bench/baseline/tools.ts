// The seed tutorial's tool module: nine tools with zod input schemas, each calling Octokit and
// returning the trimmed result as JSON text; names and arguments as in CONTRACT.md. The tools are
// one table so both baselines serve the same nine with the same answers: `registerTools` puts
// them on a v1 McpServer for every session (the tutorial's design), bench/baseline-2026/ on the
// v2 SDK's per-request McpServer.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Octokit } from '@octokit/rest'
import { z } from 'zod'

interface RawIssue {
  number: number; title: string; state: string; body?: string | null; html_url: string
  user?: { login: string } | null; labels: Array<string | { name?: string }>
  assignees?: Array<{ login: string }> | null; comments: number; created_at: string; updated_at: string
}

function trimIssue (i: RawIssue) {
  return {
    number: i.number, title: i.title, state: i.state, author: i.user?.login,
    labels: i.labels.map((l) => (typeof l === 'string' ? l : l.name)),
    assignees: (i.assignees ?? []).map((a) => a.login), comments: i.comments,
    created_at: i.created_at, updated_at: i.updated_at, url: i.html_url, body: i.body ?? ''
  }
}

/** One tool as the tutorial wrote it; `run` is called with arguments the SDK validated against `shape`. */
export interface ToolSpec {
  name: string
  description: string
  shape: z.ZodRawShape
  run (octokit: Octokit, args: unknown): Promise<CallToolResult>
}

/**
 * The tutorial's handler shape: the value as pretty JSON text, and its catch-all (any failure
 * becomes an error result with the message).
 */
function tool<S extends z.ZodRawShape> (
  name: string, description: string, shape: S, run: (octokit: Octokit, a: z.output<z.ZodObject<S>>) => Promise<unknown>
): ToolSpec {
  return {
    name,
    description,
    shape,
    async run (octokit, args) {
      try {
        const value = await run(octokit, args as z.output<z.ZodObject<S>>)
        return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] }
      } catch (error) {
        return { content: [{ type: 'text', text: `Error: ${(error as Error).message}` }], isError: true }
      }
    }
  }
}

const repo = { owner: z.string().describe('Repository owner'), repo: z.string().describe('Repository name') }
const issueNumber = z.number().int().positive().describe('Issue number')
const state = z.enum(['open', 'closed', 'all'])

export const TOOLS: ToolSpec[] = [
  tool('list_issues', 'List issues in a GitHub repository',
    { ...repo, state: state.default('open'), limit: z.number().int().min(1).max(100).default(20) },
    async (o, a) => {
      const { data } = await o.issues.listForRepo({ owner: a.owner, repo: a.repo, state: a.state, per_page: a.limit })
      return data.map(trimIssue)
    }),

  tool('get_issue', 'Get a single issue by number', { ...repo, issue_number: issueNumber },
    async (o, a) => trimIssue((await o.issues.get({ owner: a.owner, repo: a.repo, issue_number: a.issue_number })).data)),

  tool('create_issue', 'Create a new issue', {
    ...repo, title: z.string().min(1), body: z.string().optional(),
    labels: z.array(z.string()).optional(), assignees: z.array(z.string()).optional()
  }, async (o, a) => trimIssue((await o.issues.create(a)).data)),

  tool('update_issue', 'Update an existing issue', {
    ...repo, issue_number: issueNumber, title: z.string().optional(), body: z.string().optional(),
    state: z.enum(['open', 'closed']).optional(), labels: z.array(z.string()).optional(),
    assignees: z.array(z.string()).optional()
  }, async (o, a) => trimIssue((await o.issues.update(a)).data)),

  tool('search_issues', 'Search issues across GitHub',
    { query: z.string(), limit: z.number().int().min(1).max(100).default(10) },
    async (o, a) => {
      const { data } = await o.search.issuesAndPullRequests({ q: a.query, per_page: a.limit })
      return { total_count: data.total_count, items: data.items.map(trimIssue) }
    }),

  tool('list_issues_paginated', 'List issues one page at a time', {
    ...repo, state: state.default('open'), page: z.number().int().min(1).default(1),
    per_page: z.number().int().min(1).max(100).default(30),
    sort: z.enum(['created', 'updated', 'comments']).default('created'), direction: z.enum(['asc', 'desc']).default('desc')
  }, async (o, a) => {
    const { data } = await o.issues.listForRepo(a)
    return { page: a.page, per_page: a.per_page, issues: data.map(trimIssue) }
  }),

  tool('batch_label_issues', 'Add labels to several issues',
    { ...repo, issue_numbers: z.array(issueNumber).min(1).max(25), labels: z.array(z.string()).min(1).max(10) },
    (o, a) => Promise.all(a.issue_numbers.map(async (n) => {
      try {
        await o.issues.addLabels({ owner: a.owner, repo: a.repo, issue_number: n, labels: a.labels })
        return { issue_number: n, success: true }
      } catch (error) {
        return { issue_number: n, success: false, error: (error as Error).message }
      }
    }))),

  tool('add_issue_comment', 'Comment on an issue', { ...repo, issue_number: issueNumber, body: z.string().min(1) },
    async (o, a) => {
      const { data } = await o.issues.createComment(a)
      return { id: data.id, url: data.html_url, author: data.user?.login, created_at: data.created_at }
    }),

  tool('list_issue_comments', 'List comments on an issue', {
    ...repo, issue_number: issueNumber, page: z.number().int().min(1).optional(),
    per_page: z.number().int().min(1).max(100).optional()
  }, async (o, a) => {
    const { data } = await o.issues.listComments(a)
    return data.map((c) => ({ id: c.id, author: c.user?.login, created_at: c.created_at, body: c.body }))
  })
]

/** The tutorial's registration, on a v1 McpServer: raw zod shapes, repeated for every session. */
export function registerTools (server: McpServer, octokit: Octokit): void {
  for (const t of TOOLS) {
    server.registerTool(t.name, { description: t.description, inputSchema: t.shape }, (args) => t.run(octokit, args))
  }
}
