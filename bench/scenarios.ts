// The throughput scenarios (autocannon); memory (memory.ts) and the agent workload (agents/) are
// measured apart. Each throughput scenario says what one request is and how to tell a correct
// answer from a wrong one, so a fast server that answers errors cannot win.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { initializeRequest, modernRequest } from './mcp-http.js'

export type ScenarioId = 'get_issue' | 'get_issue_spread' | 'tools_list' | 'session_setup' | 'stateless_get_issue' |
  'tools_list_2026' | 'get_issue_2026' | 'get_issue_spread_2026' |
  'handlers_tools_list' | 'handlers_get_issue' | 'handlers_tools_list_2026' | 'handlers_get_issue_2026'

export interface Scenario {
  id: ScenarioId
  title: string
  /**
   * The protocol era its requests speak, which picks the baseline: the seed design for 2025
   * (sessions, initialize), the SDK v2's createMcpHandler for 2026-07-28 (bench/baseline-2026/).
   */
  era: '2025' | '2026'
  /**
   * Part of the handler experiment (docs/benchmarks.md, "Which HTTP handler serves which era"):
   * measured against the gateway served by the SDK's createMcpHandler (bench/sdk-handler/), not
   * a baseline, with both processes stateless. Opt-in: run only when BENCH_ONLY names it or
   * `handlers`.
   */
  experiment?: 'handlers'
  /** Which server pair serves it: stateful processes or MCP_STATELESS ones. */
  stateless: boolean
  /** One session per connection, opened before the round (what an SDK client holds). */
  sessionPerConnection: boolean
  /** Requests are `initialize` POSTs: no session or protocol-version header; each opens a session. */
  opensSessions: boolean
  body: unknown
  /** A body of its own per connection (connection index from 0), instead of `body` for all. */
  bodyFor?: (connection: number) => unknown
  /** Every correct answer's body contains each of these; a 2xx answer without one counts as an error. */
  expect: string[]
  /** Checked on one full answer per server before any timing: undefined when it is right. */
  check (messages: JSONRPCMessage[]): string | undefined
  unit: 'req/s' | 'sessions/s'
  /** Issue 4.5: the gateway must reach this multiple of the baseline's rate, if any. */
  minRatio?: number
}

export const TOOL_NAMES = [
  'list_issues', 'get_issue', 'create_issue', 'update_issue', 'search_issues',
  'list_issues_paginated', 'batch_label_issues', 'add_issue_comment', 'list_issue_comments'
]
export const ISSUE_TITLE = 'Gadget pairing fails over Bluetooth LE' // octo-org/gadgets#1 in the stand-in

const getIssueParams = { name: 'get_issue', arguments: { owner: 'octo-org', repo: 'gadgets', issue_number: 1 } }
const getIssue = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: getIssueParams }
const toolsList = { jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} }

type Check = Scenario['check']
type Result = Record<string, unknown>
const resultOf = (messages: JSONRPCMessage[]): Result | undefined => {
  const m = messages.find((x) => 'result' in x || 'error' in x) as { result?: Result, error?: { message: string } } | undefined
  return m?.result
}

/** A tool result that is no error and whose content contains `marker`. */
const toolResult = (marker: string, missing: string): Check => (messages) => {
  const result = resultOf(messages)
  if (!result) return `no result: ${JSON.stringify(messages).slice(0, 300)}`
  if (result.isError === true) return `tool error: ${JSON.stringify(result.content).slice(0, 300)}`
  return JSON.stringify(result.content).includes(marker) ? undefined : missing
}
const checkIssue = toolResult(ISSUE_TITLE, 'the issue title is missing from the result')
const checkSpread = toolResult('octo-org/widgets', 'the issue is missing from the result')

const checkTools: Check = (messages) => {
  const tools = (resultOf(messages)?.tools ?? []) as Array<{ name: string }>
  const names = tools.map((t) => t.name).sort()
  return names.join() === [...TOOL_NAMES].sort().join() ? undefined : `tools/list gave [${names.join(', ')}]`
}

/**
 * A 2026-07-28 answer, then `check`: its result says it is complete (`resultType`, which the
 * sender must set and no 2025 result has), so a server answering the request as a 2025 one is
 * wrong. During a round each answer must contain `"resultType"` for the same reason.
 */
const in2026 = (check: Check): Check => (messages) => {
  const result = resultOf(messages)
  if (result && result.resultType !== 'complete') return `not a complete 2026-07-28 result: resultType ${JSON.stringify(result.resultType)}`
  return check(messages)
}
const RESULT_TYPE = '"resultType"'

/** A 2026 list carries cache hints (a client may reuse it for ttlMs, shared or per caller). */
const withCacheHints = (check: Check): Check => (messages) => {
  const result = resultOf(messages)
  if (result && !(Number.isInteger(result.ttlMs) && (result.ttlMs as number) >= 0)) return `no ttlMs in tools/list (${JSON.stringify(result.ttlMs)})`
  if (result && result.cacheScope !== 'public' && result.cacheScope !== 'private') return `no cacheScope in tools/list (${JSON.stringify(result.cacheScope)})`
  return check(messages)
}

// Issues (not pull requests, not the deleted #13) of octo-org/widgets in the stand-in's seed.
const SPREAD_ISSUES = [1, 2, 3, 5, 7, 8, 10, 12, 14, 15, 16, 18, 19, 20, 22, 23, 25, 26, 27, 29]
const spreadParams = (connection: number) =>
  ({ name: 'get_issue', arguments: { owner: 'octo-org', repo: 'widgets', issue_number: SPREAD_ISSUES[connection % SPREAD_ISSUES.length] } })
const spreadIssue = (connection: number) => ({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: spreadParams(connection) })
const spreadIssue2026 = (connection: number) => modernRequest(2, 'tools/call', spreadParams(connection))

export const SCENARIOS: Scenario[] = [
  {
    id: 'get_issue', title: 'tools/call get_issue', era: '2025', stateless: false, sessionPerConnection: true,
    opensSessions: false, body: getIssue, expect: [ISSUE_TITLE], check: checkIssue, unit: 'req/s', minRatio: 3
  },
  {
    // Each connection reads its own issue, so no two requests in flight are alike: this measures
    // the per-request path without single-flight reads (which the scenario above benefits from).
    // Held to 2x, not 3x: every upstream request now goes through Octokit's pipeline, whose
    // per-request CPU the bypass used to save. That is the price of one path (issue 11).
    id: 'get_issue_spread', title: 'tools/call get_issue, a different issue per connection', era: '2025', stateless: false,
    sessionPerConnection: true, opensSessions: false, body: spreadIssue(0), bodyFor: spreadIssue,
    expect: ['octo-org/widgets'], check: checkSpread, unit: 'req/s', minRatio: 2
  },
  {
    id: 'tools_list', title: 'tools/list', era: '2025', stateless: false, sessionPerConnection: true, opensSessions: false,
    body: toolsList, expect: ['"list_issue_comments"'],
    check: checkTools, unit: 'req/s', minRatio: 5
  },
  {
    id: 'session_setup', title: 'session set-up (initialize)', era: '2025', stateless: false, sessionPerConnection: false,
    opensSessions: true, body: initializeRequest(1), expect: ['"protocolVersion"'],
    check: (messages) => (resultOf(messages)?.protocolVersion ? undefined : 'initialize gave no protocolVersion'),
    unit: 'sessions/s', minRatio: 3
  },
  {
    id: 'stateless_get_issue', title: 'stateless tools/call get_issue', era: '2025', stateless: true, sessionPerConnection: false,
    opensSessions: false, body: getIssue, expect: [ISSUE_TITLE], check: checkIssue, unit: 'req/s'
  },
  // 2026-07-28: every request stands alone (no session, no initialize), against the SDK v2 baseline.
  {
    id: 'tools_list_2026', title: 'tools/list, 2026-07-28', era: '2026', stateless: false, sessionPerConnection: false,
    opensSessions: false, body: modernRequest(3, 'tools/list'), expect: ['"list_issue_comments"', RESULT_TYPE],
    check: in2026(withCacheHints(checkTools)), unit: 'req/s', minRatio: 3
  },
  {
    id: 'get_issue_2026', title: 'tools/call get_issue, 2026-07-28', era: '2026', stateless: false, sessionPerConnection: false,
    opensSessions: false, body: modernRequest(2, 'tools/call', getIssueParams), expect: [ISSUE_TITLE, RESULT_TYPE],
    check: in2026(checkIssue), unit: 'req/s', minRatio: 3
  },
  {
    id: 'get_issue_spread_2026', title: 'tools/call get_issue, a different issue per connection, 2026-07-28', era: '2026',
    stateless: false, sessionPerConnection: false, opensSessions: false, body: spreadIssue2026(0), bodyFor: spreadIssue2026,
    expect: ['octo-org/widgets', RESULT_TYPE], check: in2026(checkSpread), unit: 'req/s'
  },
  // The handler experiment: the same four requests in both eras, with no session in either, so
  // that the SDK's handler (stateless for 2025) and the gateway serve the same work.
  {
    id: 'handlers_tools_list', title: 'handlers: stateless tools/list', era: '2025', experiment: 'handlers', stateless: true,
    sessionPerConnection: false, opensSessions: false, body: toolsList, expect: ['"list_issue_comments"'], check: checkTools, unit: 'req/s'
  },
  {
    id: 'handlers_get_issue', title: 'handlers: stateless tools/call get_issue', era: '2025', experiment: 'handlers', stateless: true,
    sessionPerConnection: false, opensSessions: false, body: getIssue, expect: [ISSUE_TITLE], check: checkIssue, unit: 'req/s'
  },
  {
    id: 'handlers_tools_list_2026', title: 'handlers: tools/list, 2026-07-28', era: '2026', experiment: 'handlers', stateless: true,
    sessionPerConnection: false, opensSessions: false, body: modernRequest(3, 'tools/list'), expect: ['"list_issue_comments"', RESULT_TYPE],
    check: in2026(withCacheHints(checkTools)), unit: 'req/s'
  },
  {
    id: 'handlers_get_issue_2026', title: 'handlers: tools/call get_issue, 2026-07-28', era: '2026', experiment: 'handlers', stateless: true,
    sessionPerConnection: false, opensSessions: false, body: modernRequest(2, 'tools/call', getIssueParams), expect: [ISSUE_TITLE, RESULT_TYPE],
    check: in2026(checkIssue), unit: 'req/s'
  }
]
