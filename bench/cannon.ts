// One measured round: autocannon against one server for one scenario, every answer checked.
import autocannon from 'autocannon'
import { requestHeaders } from './mcp-http.js'
import type { Scenario } from './scenarios.js'

export interface RoundStats {
  requests: number
  seconds: number
  rps: number
  p50: number
  p99: number
  /** Connection errors and timeouts (autocannon's `errors` includes timeouts). */
  errors: number
  non2xx: number
  /** 2xx answers whose body was not the expected answer (e.g. an isError tool result). */
  wrong: number
}

/** The figures the report uses, from autocannon's result and the bench's own body check. */
export function summarize (result: Pick<autocannon.Result, 'requests' | 'duration' | 'latency' | 'errors' | 'non2xx'>, wrong: number): RoundStats {
  const requests = result.requests.total
  return {
    requests,
    seconds: result.duration,
    rps: result.duration > 0 ? requests / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    wrong
  }
}

/** A response header by name, whatever case the server wrote it in. */
export function headerValue (headers: Record<string, unknown> | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name && typeof value === 'string') return value
  }
  return undefined
}

export const failures = (s: RoundStats): number => s.errors + s.non2xx + s.wrong

export interface RoundInput {
  url: string
  scenario: Scenario
  seconds: number
  connections: number
  /** One id per connection when the scenario runs in open sessions. */
  sessions?: string[]
  /** Called with each session an initialize opened, so the runner can close it afterwards. */
  onSession?: (id: string) => void
}

export async function fire (input: RoundInput): Promise<RoundStats> {
  const { scenario, sessions } = input
  const headers = requestHeaders(scenario.body, undefined, !scenario.opensSessions)
  let wrong = 0
  let nextSession = 0
  const result = await autocannon({
    url: `${input.url}/mcp`,
    method: 'POST',
    connections: input.connections,
    duration: input.seconds,
    timeout: 10,
    headers,
    body: JSON.stringify(scenario.body),
    // Each connection is one client with its own session, as each agent holds its own, and its
    // own body where the scenario gives one (a 2026 request's headers follow its body).
    setupClient: sessions || scenario.bodyFor
      ? (client) => {
          const index = nextSession++
          const body = scenario.bodyFor ? scenario.bodyFor(index) : scenario.body
          client.setHeaders(requestHeaders(body, sessions && sessions[index % sessions.length], !scenario.opensSessions))
          if (scenario.bodyFor) client.setBody(JSON.stringify(body))
        }
      : undefined,
    requests: [{
      onResponse (status, body, _context, resHeaders) {
        if (status >= 200 && status < 300 && !scenario.expect.every((marker) => body.includes(marker))) wrong++
        if (input.onSession) {
          const id = headerValue(resHeaders, 'mcp-session-id')
          if (id !== undefined) input.onSession(id)
        }
      }
    }]
  })
  return summarize(result, wrong)
}
