// What a domain hands the MCP layer besides its tools: the instructions, the logger name and the
// target hook. A made-up "notes" domain shows that nothing about GitHub is built in.
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { Catalog, defineTool } from '../../src/mcp/catalog.js'
import { createSessionServer, type ToolCallEvent } from '../../src/mcp/session-server.js'
import { keyAccess } from '../../src/auth/access.js'
import { memoryLogger, type LogLine } from '../github/harness.js'

let runs = 0
const readNote = defineTool({
  name: 'read_note', title: 'Read a note', description: 'Reads one note of a project.', access: 'read',
  input: Type.Object({ project: Type.String(), note: Type.String() }), output: Type.Object({ text: Type.String() }),
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run (args, ctx) {
    runs++
    await ctx.log('info', `read ${args.note}`)
    return { text: `note ${args.note}`, data: { text: args.note } }
  },
})

const catalog = new Catalog({
  tools: [readNote], prompts: [], templates: [], completers: [],
  errors: { toolError: () => ({ message: 'failed', internal: false }), protocolError: (e) => e as Error },
  instructions: 'Notes of several projects; a note is plain text.',
  logger: 'notes',
  target: { label: 'project', of: (args) => typeof args.project === 'string' ? `projects/${args.project}` : null },
})

async function connect (repos: string[] | null) {
  const logs: LogLine[] = []
  const events: ToolCallEvent[] = []
  // The auth side's globs work on whatever the target hook names.
  const access = keyAccess(['issues:read'], repos)
  const server = createSessionServer(catalog, { keyName: 'k', access, logger: memoryLogger(logs), onToolCall: (e) => events.push(e) })
  const client = new Client({ name: 'c', version: '1' })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await server.connect(a)
  await client.connect(b)
  t.teardown(() => client.close())
  return { client, logs, events }
}

t.test('initialize carries the catalog\'s instructions; log notifications its logger name', async (t) => {
  const { client } = await connect(null)
  t.equal(client.getInstructions(), 'Notes of several projects; a note is plain text.')
  const messages: unknown[] = []
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { messages.push(n.params) })
  await client.callTool({ name: 'read_note', arguments: { project: 'alpha', note: 'n1' } })
  t.match(messages, [{ level: 'info', logger: 'notes', data: 'read n1' }])
})

t.test('the target hook is checked before the handler runs and audited under its label', async (t) => {
  const { client, logs, events } = await connect(['projects/alpha'])
  runs = 0
  const refused = await client.callTool({ name: 'read_note', arguments: { project: 'beta', note: 'n1' } }) as CallToolResult
  t.ok(refused.isError)
  t.match(refused.content[0], { text: /^Access to projects\/beta is not permitted/ })
  t.equal(runs, 0, 'the handler never ran')
  t.match(events.at(-1), { tool: 'read_note', target: 'projects/beta', outcome: 'refused' })
  t.match(logs.at(-1), { msg: 'tool call', obj: { tool: 'read_note', project: 'projects/beta', outcome: 'refused' } })
  t.notOk('target' in (logs.at(-1)?.obj ?? {}), 'the audit line uses the domain\'s label')
  const ok = await client.callTool({ name: 'read_note', arguments: { project: 'alpha', note: 'n1' } }) as CallToolResult
  t.notOk(ok.isError)
  t.equal(runs, 1)
})
