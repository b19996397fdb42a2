import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { startGitHubStandin } from '../../sandbox/github-standin.js'
import { buildApp } from '../../src/app.js'
import { buildSdkHandlerApp } from '../../bench/sdk-handler/app.js'
import { failures, fire } from '../../bench/cannon.js'
import { serverEnv } from '../../bench/config.js'
import { mcpHeaders, post, requestHeaders, type RpcAnswer } from '../../bench/mcp-http.js'
import { startChild } from '../../bench/procs.js'
import { SCENARIOS } from '../../bench/scenarios.js'

// The handler experiment compares handlers only if variant B is the gateway in every other
// respect and serves both eras as the gateway does (docs/benchmarks.md, "Which HTTP handler
// serves which era, and why").

const experiment = SCENARIOS.filter((s) => s.experiment === 'handlers')

async function listen (t: Test, app: FastifyInstance): Promise<string> {
  t.teardown(() => app.close())
  return app.listen({ port: 0, host: '127.0.0.1' })
}

/** Variant A (the gateway, stateless as in the experiment) and B, on one stand-in. */
async function pair (t: Test, extra: Record<string, string> = {}): Promise<{ gateway: string, sdk: string }> {
  const github = await startGitHubStandin()
  t.teardown(() => github.close())
  const env = { ...serverEnv(github.url, true), ...extra }
  return { gateway: await listen(t, await buildApp({ env })), sdk: await listen(t, await buildSdkHandlerApp({ env })) }
}

/** Plugin names in registration order, without Fastify's own entries and timings. */
const pluginNames = (app: FastifyInstance) => app.printPlugins().split('\n')
  .map((line) => line.replace(/^[│├└─┬\s]+/, '').replace(/ \d+ ms$/, ''))
  .filter((name) => name !== '' && name !== 'bound _after' && !name.startsWith('app-auto-'))

t.test('variant B is the gateway\'s plugin tree with the SDK handler where the MCP routes are', async (t) => {
  const env = serverEnv('http://127.0.0.1:9', true)
  const gateway = await buildApp({ env })
  t.teardown(() => gateway.close())
  const sdk = await buildSdkHandlerApp({ env })
  t.teardown(() => sdk.close())
  const expected = pluginNames(gateway).map((name) => (name === 'mcp' ? 'sdk-handler' : name))
  t.ok(expected.includes('sdk-handler') && expected.includes('auth') && expected.includes('rate-limit'), expected.join(', '))
  t.same(pluginNames(sdk), expected)
})

t.test('both variants answer every experiment request correctly, with the same results', async (t) => {
  const { gateway, sdk } = await pair(t)
  t.same(experiment.map((s) => s.id), ['handlers_tools_list', 'handlers_get_issue', 'handlers_tools_list_2026', 'handlers_get_issue_2026'])
  const resultOf = (answer: RpcAnswer) => (answer.messages.find((m) => 'result' in m) as { result?: object } | undefined)?.result
  for (const scenario of experiment) {
    t.notOk(scenario.sessionPerConnection || scenario.opensSessions, `${scenario.id}: no session`)
    const answers = { gateway: await post(gateway, scenario.body), sdk: await post(sdk, scenario.body) }
    for (const [side, answer] of Object.entries(answers)) {
      t.equal(answer.status, 200, `${scenario.id}, ${side}`)
      t.equal(answer.sessionId, undefined, `${scenario.id}, ${side}: no session id`)
      t.equal(scenario.check(answer.messages), undefined, `${scenario.id}, ${side}: a right answer`)
    }
    t.same(resultOf(answers.sdk), resultOf(answers.gateway), `${scenario.id}: the same result from the same catalog`)
  }
})

t.test('variant B: the gateway\'s key check in front; no GET stream; reply headers bypassed', async (t) => {
  const origin = 'https://app.example'
  const { gateway, sdk } = await pair(t, { ALLOWED_ORIGINS: origin })
  const body = SCENARIOS.find((s) => s.id === 'handlers_tools_list_2026')!.body
  const { 'x-api-key': _key, ...keyless } = requestHeaders(body)
  const send = (url: string, headers: Record<string, string>) => fetch(`${url}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) })
  t.equal((await send(sdk, keyless)).status, 401)
  t.equal((await send(sdk, { ...keyless, 'x-api-key': 'not-a-key' })).status, 403)
  // The SDK's stateless 2025 posture has no session to stream on: GET and DELETE are 405.
  const get = await fetch(`${sdk}/mcp`, { headers: { ...mcpHeaders(), accept: 'text/event-stream' } })
  t.equal(get.status, 405)
  await get.arrayBuffer()
  // toNodeHandler writes the raw response: headers the guards set on Fastify's reply never go out.
  const viaGateway = await send(gateway, { ...requestHeaders(body), origin })
  const viaSdk = await send(sdk, { ...requestHeaders(body), origin })
  await Promise.all([viaGateway.arrayBuffer(), viaSdk.arrayBuffer()])
  t.equal(viaSdk.status, 200, 'variant B answers the allowed origin')
  for (const name of ['ratelimit-limit', 'access-control-allow-origin']) {
    t.ok(viaGateway.headers.has(name), `the gateway sends ${name}`)
    t.notOk(viaSdk.headers.has(name), `variant B does not send ${name}`)
  }
})

t.test('a short autocannon round of each experiment request against both children, every answer right', async (t) => {
  const github = await startChild('github-standin', 'bench/children/standin.ts', {})
  t.teardown(() => github.stop())
  for (const [name, entry] of [['sdk-handler', 'bench/children/sdk-handler.ts'], ['gateway', 'bench/children/gateway.ts']]) {
    const child = await startChild(name, entry, serverEnv(github.url, true))
    t.teardown(() => child.stop())
    t.equal((await child.memory()).sessions, 0, `${name}: the probe answers; no sessions`)
    for (const scenario of experiment) {
      const round = await fire({ url: child.url, scenario, seconds: 1, connections: 2 })
      t.ok(round.requests > 0, `${name}, ${scenario.id}: requests were counted`)
      t.equal(failures(round), 0, `${name}, ${scenario.id}: every answer a 2xx carrying ${scenario.expect.join(' and ')}`)
    }
  }
})
