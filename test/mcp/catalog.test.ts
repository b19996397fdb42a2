// The catalog's surface: tools/list is built once, per scope combination, and any change to it
// (names, schemas, annotations) must be deliberate: it is compared with a committed fixture.
import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { createGitHubDomain } from '../../src/github/index.js'
import { FULL_ACCESS, keyAccess, type Scope } from '../../src/auth/access.js'
import { memoryLogger } from '../github/harness.js'

const FIXTURE = new URL('../fixtures/tools-list.json', import.meta.url)
const domain = createGitHubDomain({ token: 'unused', baseUrl: 'http://127.0.0.1:9', logger: memoryLogger([]) })
t.teardown(() => domain.close())
const { catalog } = domain
const only = (...scopes: Scope[]) => keyAccess(scopes, null)

t.test('tools/list matches the committed fixture (UPDATE_FIXTURES=1 regenerates it)', async (t) => {
  const actual = JSON.parse(JSON.stringify(catalog.toolsList(FULL_ACCESS)))
  if (process.env.UPDATE_FIXTURES === '1') writeFileSync(FIXTURE, JSON.stringify(actual, null, 2) + '\n')
  t.same(actual, JSON.parse(readFileSync(FIXTURE, 'utf8')), 'the tool surface changed: review, then regenerate the fixture')
})

t.test('every tool is fully described', async (t) => {
  const { tools } = catalog.toolsList(FULL_ACCESS)
  t.same(tools.map((x) => x.name).sort(), [
    'add_issue_comment', 'batch_label_issues', 'create_issue', 'get_issue', 'list_issue_comments',
    'list_issues', 'list_issues_paginated', 'search_issues', 'update_issue',
  ])
  for (const tool of tools) {
    t.ok(tool.title, `${tool.name} has a title`)
    t.ok((tool.description ?? '').length > 60, `${tool.name} has a real description`)
    t.equal(tool.inputSchema.type, 'object')
    t.equal((tool.inputSchema as { additionalProperties?: boolean }).additionalProperties, false, `${tool.name} refuses unknown arguments`)
    t.equal(tool.outputSchema?.type, 'object', `${tool.name} declares an output schema`)
    for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
      t.type(tool.annotations?.[hint], 'boolean', `${tool.name} states ${hint}`)
    }
    t.equal(tool.annotations?.title, tool.title)
  }
})

t.test('annotations are honest', async (t) => {
  const hints = Object.fromEntries(catalog.toolsList(FULL_ACCESS).tools.map((x) => [x.name, x.annotations]))
  for (const name of ['list_issues', 'get_issue', 'search_issues', 'list_issues_paginated', 'list_issue_comments']) {
    t.match(hints[name], { readOnlyHint: true, destructiveHint: false }, `${name} only reads`)
  }
  t.match(hints.update_issue, { readOnlyHint: false, destructiveHint: true, idempotentHint: true }, 'update replaces fields')
  t.match(hints.batch_label_issues, { readOnlyHint: false, destructiveHint: false, idempotentHint: true }, 'batch only adds labels')
  t.match(hints.create_issue, { destructiveHint: false, idempotentHint: false }, 'creating twice opens two issues')
  t.match(hints.add_issue_comment, { destructiveHint: false, idempotentHint: false })
})

t.test('lists are precomputed per scope combination and never rebuilt', async (t) => {
  t.equal(catalog.toolsList(FULL_ACCESS), catalog.toolsList(only('issues:read', 'issues:write')), 'same object')
  t.same(catalog.toolsList(only('issues:read')).tools.map((x) => x.annotations?.readOnlyHint), [true, true, true, true, true])
  t.same(catalog.toolsList(only('issues:write')).tools.map((x) => x.name).sort(),
    ['add_issue_comment', 'batch_label_issues', 'create_issue', 'update_issue'])
  t.same(catalog.toolsList(only()).tools, [])
  t.same(catalog.promptsList(only('issues:write')).prompts, [], 'prompts read issues: hidden without issues:read')
  t.same(catalog.templatesList(only('issues:write')).resourceTemplates, [])
})

t.test('schemas on the wire are plain JSON (no TypeBox symbols, enums as enum)', async (t) => {
  const tool = catalog.toolsList(FULL_ACCESS).tools.find((x) => x.name === 'list_issues_paginated')
  t.equal(Object.getOwnPropertySymbols(tool?.inputSchema ?? {}).length, 0)
  t.same((tool?.inputSchema.properties as Record<string, unknown>).sort,
    { type: 'string', enum: ['created', 'updated', 'comments'], default: 'created', description: 'Sort key.' })
})

t.test('prompts and resource templates are listed with their arguments', async (t) => {
  const prompts = catalog.promptsList(FULL_ACCESS).prompts
  t.same(prompts.map((p) => p.name), ['triage-issue', 'weekly-summary', 'bug-report-template'])
  t.same(prompts[0].arguments?.map((a) => [a.name, a.required]), [['owner', true], ['repo', true], ['issue_number', true]])
  t.same(prompts[2].arguments, [])
  t.same(catalog.templatesList(FULL_ACCESS).resourceTemplates.map((r) => r.uriTemplate),
    ['issue://{owner}/{repo}/{number}', 'issue://{owner}/{repo}/{number}/comments', 'issue://{owner}/{repo}/open'])
})
