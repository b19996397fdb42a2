// A reference 2026-07-28 server built the way the SDK's docs show (createMcpHandler with an
// McpServer factory, mounted on Fastify with toNodeHandler), with a few of the gateway's tools
// in the gateway's words. The era-2026 protocol tests run against it when
// ERA2026_TARGET=reference: where they pass here and fail on the gateway, the gateway is wrong,
// not the test. It answers the GitHub stand-in and takes no API key.
import Fastify from 'fastify'
import { createMcpHandler, McpServer, ResourceNotFoundError, ResourceTemplate } from '@modelcontextprotocol/server'
import { toNodeHandler } from '@modelcontextprotocol/node'
import * as z from 'zod/v4'
import { SANDBOX_TOKEN } from '../../sandbox/github-standin.js'

export const REFERENCE_INFO = { name: 'era-2026-reference', version: '1.0.0' }
export const REFERENCE_TOOLS = ['batch_label_issues', 'get_issue']

const repoArgs = { owner: z.string(), repo: z.string() }
const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] })

function factory (githubUrl: string) {
  const github = (path: string, signal: AbortSignal, init: RequestInit = {}) => fetch(`${githubUrl}${path}`, {
    ...init, signal, headers: { authorization: `token ${SANDBOX_TOKEN}`, 'content-type': 'application/json' },
  })
  return () => {
    const server = new McpServer(REFERENCE_INFO, { capabilities: { logging: {} } })
    server.registerTool('get_issue', { description: 'One issue', inputSchema: z.object({ ...repoArgs, issue_number: z.number().int() }) },
      async ({ owner, repo, issue_number: n }, ctx) => {
        const res = await github(`/repos/${owner}/${repo}/issues/${n}`, ctx.mcpReq.signal)
        const issue = await res.json() as { number: number, title: string }
        return { ...text(`#${issue.number} ${issue.title}`), structuredContent: { number: issue.number, title: issue.title } }
      })
    server.registerTool('batch_label_issues', {
      description: 'Add labels to several issues',
      inputSchema: z.object({ ...repoArgs, issue_numbers: z.array(z.number().int()), labels: z.array(z.string()) }),
    }, async ({ owner, repo, issue_numbers: numbers, labels }, ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken
      let done = 0
      for (const n of numbers) {
        const res = await github(`/repos/${owner}/${repo}/issues/${n}/labels`, ctx.mcpReq.signal, { method: 'POST', body: JSON.stringify({ labels }) })
        await ctx.mcpReq.log(res.ok ? 'debug' : 'warning', res.ok ? `#${n} labelled` : `#${n}: not found`)
        done++
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: done, total: numbers.length } })
        }
      }
      return text(`${done}/${numbers.length} done`)
    })
    server.registerResource('issue', new ResourceTemplate('issue://{owner}/{repo}/{number}', { list: undefined }), { mimeType: 'text/markdown' },
      async (uri, { owner, repo, number }, ctx) => {
        const res = await github(`/repos/${owner}/${repo}/issues/${number}`, ctx.mcpReq.signal)
        if (res.status === 404) throw new ResourceNotFoundError(uri.href)
        const issue = await res.json() as { title: string }
        return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: `# ${issue.title}` }] }
      })
    server.registerPrompt('triage-issue', { description: 'Triage an issue', argsSchema: z.object({ ...repoArgs, issue_number: z.string() }) },
      async ({ owner, repo, issue_number: n }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Triage ${owner}/${repo}#${n}` } }] }))
    return server
  }
}

/** The reference on loopback; `close` ends it. */
export async function startReference (githubUrl: string): Promise<{ url: string, close: () => Promise<void> }> {
  const handler = createMcpHandler(factory(githubUrl))
  const node = toNodeHandler(handler)
  // A cancelled exchange leaves its half-closed socket to the server: close does not wait for it.
  const app = Fastify({ forceCloseConnections: true })
  app.all('/mcp', async (request, reply) => {
    reply.hijack()
    await node(request.raw, reply.raw, request.body)
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: async () => { await handler.close(); await app.close() },
  }
}
