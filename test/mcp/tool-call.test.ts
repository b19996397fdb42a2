import t from 'tap'
import { Type } from '@sinclair/typebox'
import { Catalog, defineTool } from '../../src/mcp/catalog.js'
import { callTool } from '../../src/mcp/tool-call.js'
import { FULL_ACCESS } from '../../src/auth/access.js'
import { stableJson } from '../../src/mcp/stable-json.js'
import { memoryLogger } from '../github/harness.js'

function catalogWith (run: () => Promise<{ text: string, data: { n: number } }>) {
  const tool = defineTool({
    name: 'echo', title: 'Echo', description: 'd', access: 'read',
    input: Type.Object({}), output: Type.Object({ n: Type.Integer() }),
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }, run,
  })
  return new Catalog({
    tools: [tool], prompts: [], templates: [], completers: [],
    errors: { toolError: () => ({ message: 'x', status: null, internal: false }) },
  } as unknown as ConstructorParameters<typeof Catalog>[0])
}

const session = { keyName: 'k', access: FULL_ACCESS, logger: memoryLogger([]) }
const ctx = { access: FULL_ACCESS, signal: new AbortController().signal, progress: async () => {}, log: async () => {} }

t.test('each call gets its own result, built from the tool output and never cached', async (t) => {
  const catalog = catalogWith(async () => ({ text: 'new', data: { n: 2 } }))
  const first = await callTool(catalog, 'echo', {}, session, ctx)
  const second = await callTool(catalog, 'echo', {}, session, ctx)
  t.not(second, first)
  t.same(second, first)
  t.equal(stableJson(first), undefined)
  t.notOk(Object.isFrozen(first))
})
