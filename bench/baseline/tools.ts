// The seed tutorial's tool module: nine tools registered on an McpServer with zod input schemas,
// each calling Octokit and returning the trimmed result as JSON text. Registered again for every
// session (the tutorial's design); names and arguments as in CONTRACT.md.
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

function json (value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] }
}

/** The tutorial's catch-all: any failure becomes an error result with the message. */
async function attempt (run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run()
  } catch (error) {
    return { content: [{ type: 'text', text: `Error: ${(error as Error).message}` }], isError: true }
  }
}

const repo = { owner: z.string().describe('Repository owner'), repo: z.string().describe('Repository name') }
const issueNumber = z.number().int().positive().describe('Issue number')
const state = z.enum(['open', 'closed', 'all'])

export function registerTools (server: McpServer, octokit: Octokit): void {
  server.registerTool('list_issues', {
    description: 'List issues in a GitHub repository',
    inputSchema: { ...repo, state: state.default('open'), limit: z.number().int().min(1).max(100).default(20) }
  }, (a) => attempt(async () => {
    const { data } = await octokit.issues.listForRepo({ owner: a.owner, repo: a.repo, state: a.state, per_page: a.limit })
    return json(data.map(trimIssue))
  }))

  server.registerTool('get_issue', {
    description: 'Get a single issue by number',
    inputSchema: { ...repo, issue_number: issueNumber }
  }, (a) => attempt(async () => {
    const { data } = await octokit.issues.get({ owner: a.owner, repo: a.repo, issue_number: a.issue_number })
    return json(trimIssue(data))
  }))

  server.registerTool('create_issue', {
    description: 'Create a new issue',
    inputSchema: {
      ...repo, title: z.string().min(1), body: z.string().optional(),
      labels: z.array(z.string()).optional(), assignees: z.array(z.string()).optional()
    }
  }, (a) => attempt(async () => {
    const { data } = await octokit.issues.create(a)
    return json(trimIssue(data))
  }))

  server.registerTool('update_issue', {
    description: 'Update an existing issue',
    inputSchema: {
      ...repo, issue_number: issueNumber, title: z.string().optional(), body: z.string().optional(),
      state: z.enum(['open', 'closed']).optional(), labels: z.array(z.string()).optional(),
      assignees: z.array(z.string()).optional()
    }
  }, (a) => attempt(async () => {
    const { data } = await octokit.issues.update(a)
    return json(trimIssue(data))
  }))

  server.registerTool('search_issues', {
    description: 'Search issues across GitHub',
    inputSchema: { query: z.string(), limit: z.number().int().min(1).max(100).default(10) }
  }, (a) => attempt(async () => {
    const { data } = await octokit.search.issuesAndPullRequests({ q: a.query, per_page: a.limit })
    return json({ total_count: data.total_count, items: data.items.map(trimIssue) })
  }))

  server.registerTool('list_issues_paginated', {
    description: 'List issues one page at a time',
    inputSchema: {
      ...repo, state: state.default('open'), page: z.number().int().min(1).default(1),
      per_page: z.number().int().min(1).max(100).default(30),
      sort: z.enum(['created', 'updated', 'comments']).default('created'), direction: z.enum(['asc', 'desc']).default('desc')
    }
  }, (a) => attempt(async () => {
    const { data } = await octokit.issues.listForRepo(a)
    return json({ page: a.page, per_page: a.per_page, issues: data.map(trimIssue) })
  }))

  server.registerTool('batch_label_issues', {
    description: 'Add labels to several issues',
    inputSchema: { ...repo, issue_numbers: z.array(issueNumber).min(1).max(25), labels: z.array(z.string()).min(1).max(10) }
  }, (a) => attempt(async () => {
    const results = await Promise.all(a.issue_numbers.map(async (n) => {
      try {
        await octokit.issues.addLabels({ owner: a.owner, repo: a.repo, issue_number: n, labels: a.labels })
        return { issue_number: n, success: true }
      } catch (error) {
        return { issue_number: n, success: false, error: (error as Error).message }
      }
    }))
    return json(results)
  }))

  server.registerTool('add_issue_comment', {
    description: 'Comment on an issue',
    inputSchema: { ...repo, issue_number: issueNumber, body: z.string().min(1) }
  }, (a) => attempt(async () => {
    const { data } = await octokit.issues.createComment(a)
    return json({ id: data.id, url: data.html_url, author: data.user?.login, created_at: data.created_at })
  }))

  server.registerTool('list_issue_comments', {
    description: 'List comments on an issue',
    inputSchema: {
      ...repo, issue_number: issueNumber, page: z.number().int().min(1).optional(),
      per_page: z.number().int().min(1).max(100).optional()
    }
  }, (a) => attempt(async () => {
    const { data } = await octokit.issues.listComments(a)
    return json(data.map((c) => ({ id: c.id, author: c.user?.login, created_at: c.created_at, body: c.body })))
  }))
}
