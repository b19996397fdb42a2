// Drives the agents against one server: each agent is an MCP session that sends its plan's calls one
// after another (an agent waits for a result before its next call) until the time is up, then
// finishes the call in hand, so every upstream request a call caused has been counted by the end.
import { closeSession, inBatches, openSession, post } from '../mcp-http.js'
import { LIMITED, pass, random, type ToolCall } from './workload.js'

export type Outcome = 'ok' | 'rate-limited' | 'error'

export interface CallSample {
  tool: string
  ms: number
  outcome: Outcome
  /** What went wrong, for the log (first of each kind). */
  detail?: string
}

type Result = { isError?: boolean, content?: Array<{ type: string, text?: string }> }

/** A tool call's answer judged as the agent would: a result, not an error, with the expected text. */
export function judge (call: ToolCall, status: number, messages: unknown[]): { outcome: Outcome, detail?: string } {
  if (status !== 200) return { outcome: 'error', detail: `HTTP ${status}` }
  const reply = messages.find((m) => typeof m === 'object' && m !== null && ('result' in m || 'error' in m)) as
    { result?: Result, error?: { message: string } } | undefined
  if (!reply?.result) return { outcome: 'error', detail: `no result: ${JSON.stringify(reply?.error ?? messages).slice(0, 200)}` }
  const text = (reply.result.content ?? []).map((c) => c.text ?? '').join('\n')
  if (reply.result.isError === true) {
    return { outcome: /secondary rate limit|rate limit exceeded/i.test(text) ? 'rate-limited' : 'error', detail: `${call.name}: ${text.slice(0, 200)}` }
  }
  return text.includes(call.expect) ? { outcome: 'ok' } : { outcome: 'error', detail: `${call.name}: "${call.expect}" missing` }
}

async function timedCall (url: string, session: string, call: ToolCall, id: number): Promise<CallSample> {
  const started = performance.now()
  try {
    const answer = await post(url, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: call.name, arguments: call.arguments } }, session)
    return { tool: call.name, ms: performance.now() - started, ...judge(call, answer.status, answer.messages) }
  } catch (error) {
    return { tool: call.name, ms: performance.now() - started, outcome: 'error', detail: `${call.name}: ${(error as Error).message}` }
  }
}

export function openAgents (url: string, agents: number): Promise<string[]> {
  const sessions: string[] = []
  return inBatches(Array.from({ length: agents }), 10, async () => { sessions.push(await openSession(url)) }).then(() => sessions)
}

export const closeAgents = (url: string, sessions: string[]): Promise<void> => inBatches(sessions, 10, (id) => closeSession(url, id))

/**
 * Every agent loops its plan (seeded by its index) for `seconds`, or until it has made `passes`
 * passes if that comes first; the samples of every call. `limited: false` leaves out the calls
 * GitHub's secondary limits count (the warm-up's rule, workload.ts).
 */
export async function driveAgents (url: string, sessions: string[], seconds: number, opts: { limited?: boolean, passes?: number } = {}): Promise<CallSample[]> {
  const deadline = performance.now() + seconds * 1000
  const passes = opts.passes ?? Infinity
  const samples: CallSample[] = []
  await Promise.all(sessions.map(async (session, agent) => {
    const rand = random(agent + 1)
    let id = 10
    for (let n = 1; n <= passes && performance.now() < deadline; n++) {
      for (const call of pass(rand, agent, n)) {
        if (performance.now() >= deadline) break
        if (opts.limited === false && LIMITED.has(call.name)) continue
        samples.push(await timedCall(url, session, call, id++))
      }
    }
  }))
  return samples
}
