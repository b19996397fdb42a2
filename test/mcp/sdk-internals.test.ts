import t from 'tap'
import { Server, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/server'
import { routeDirectly } from '../../src/mcp/sdk-internals.js'

// Fails when an SDK upgrade moves what src/mcp/sdk-internals.ts relies on: the gateway would
// still work (its fallbacks are the SDK's own paths), but slower and without noticing.

/** A transport that records what the server sends. */
function recorder (): Transport & { sent: JSONRPCMessage[] } {
  const sent: JSONRPCMessage[] = []
  return { sent, start: async () => {}, close: async () => {}, send: async (m: JSONRPCMessage) => { sent.push(m) } }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

t.test('requests, notifications and responses reach the server without the SDK router', async (t) => {
  const server = new Server({ name: 's', version: '1' }, { capabilities: {} })
  const transport = recorder()
  await server.connect(transport)
  const sdkRouter = transport.onmessage
  t.equal(routeDirectly(server, transport), true)
  t.not(transport.onmessage, sdkRouter, 'the SDK router is replaced')

  transport.onmessage!({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } })
  await tick()
  t.match(transport.sent.at(-1), { id: 1, result: { protocolVersion: '2025-06-18' } }, 'a request is answered')

  let initialized = false
  server.oninitialized = () => { initialized = true }
  transport.onmessage!({ jsonrpc: '2.0', method: 'notifications/initialized' })
  await tick()
  t.ok(initialized, 'a notification is handled')

  const pong = server.ping()
  await tick()
  const ping = transport.sent.at(-1) as { id: number, method: string }
  t.equal(ping.method, 'ping')
  transport.onmessage!({ jsonrpc: '2.0', id: ping.id, result: {} })
  t.same(await pong, {}, 'a response settles the server\'s own request')

  const failing = server.ping()
  await tick()
  transport.onmessage!({ jsonrpc: '2.0', id: (transport.sent.at(-1) as { id: number }).id, error: { code: -32601, message: 'no' } })
  await t.rejects(failing, { code: -32601 }, 'an error response too')
  await server.close()
})

t.test('the Protocol internals still exist with the arity routeDirectly calls them with', async (t) => {
  const p = new Server({ name: 's', version: '1' }, { capabilities: {} }) as unknown as Record<string, unknown>
  for (const [name, arity] of [['_onrequest', 2], ['_onnotification', 2], ['_onresponse', 1]] as const) {
    t.type(p[name], 'function', name)
    t.equal((p[name] as (...args: unknown[]) => unknown).length, arity, `${name} takes ${arity} argument(s)`)
  }
})

t.test('an SDK without the expected internals keeps its own router', async (t) => {
  const transport = recorder()
  const own = () => {}
  transport.onmessage = own
  t.equal(routeDirectly({} as unknown as Server, transport), false)
  t.equal(transport.onmessage, own)
})
