// JSON-RPC messages for the fuzz test: a valid message for each MCP method, then random
// mutations (field deletions, type swaps, huge strings, control characters, deep nesting, big
// arrays, odd ids) and batches mixing all of them.
import type { Rng } from './fuzz-rng.js'
import { completionParams, promptGetParams, resourceReadParams, toolCallParams } from './fuzz-domain.js'

type Json = unknown
type Obj = Record<string, Json>

const VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '1999-01-01', '', 'latest']
const IDS: Json[] = [1, 0, -1, 2 ** 53, 1.5, 1e308, 'a', '', 'x'.repeat(5000), null, {}, [], true, { id: 1 }]

export const METHODS = [
  'initialize', 'ping', 'tools/list', 'tools/call', 'resources/list', 'resources/templates/list', 'resources/read',
  'prompts/list', 'prompts/get', 'completion/complete', 'logging/setLevel',
  'notifications/initialized', 'notifications/cancelled', 'notifications/progress', '(response)'
] as const
export type Method = typeof METHODS[number]

function paramsFor (rng: Rng, method: Method): Obj | undefined {
  switch (method) {
    case 'initialize': return {
      protocolVersion: rng.pick(VERSIONS), capabilities: rng.chance(0.8) ? {} : { sampling: {}, roots: { listChanged: true } },
      clientInfo: { name: 'fuzz', version: '1.0.0' }
    }
    case 'tools/list': case 'resources/list': case 'prompts/list': case 'resources/templates/list':
      return rng.chance(0.7) ? undefined : { cursor: rng.nastyText(20) }
    case 'tools/call': return toolCallParams(rng)
    case 'resources/read': return resourceReadParams(rng)
    case 'prompts/get': return promptGetParams(rng)
    case 'completion/complete': return completionParams(rng)
    case 'logging/setLevel': return { level: rng.pick(['debug', 'info', 'emergency', 'verbose', '', 'DEBUG']) }
    case 'notifications/cancelled': return { requestId: rng.pick(IDS), reason: rng.nastyText(20) }
    case 'notifications/progress': return { progressToken: rng.pick(IDS), progress: rng.pick([0, 1, -1, 1e308]) }
    default: return rng.chance(0.8) ? undefined : { _meta: { progressToken: rng.pick(IDS) } }
  }
}

/** A valid (or, for tool arguments, domain-mutated) message for `method`. */
export function baseMessage (rng: Rng, method: Method): Obj {
  if (method === '(response)') {
    return rng.chance(0.5)
      ? { jsonrpc: '2.0', id: rng.pick(IDS), result: {} }
      : { jsonrpc: '2.0', id: rng.pick(IDS), error: { code: -32601, message: rng.nastyText(20) } }
  }
  const params = paramsFor(rng, method)
  const msg: Obj = method.startsWith('notifications/') ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', id: rng.int(1, 1e6), method }
  if (params !== undefined) msg.params = params
  if (method === 'tools/call' && rng.chance(0.2)) msg.params = { ...params, _meta: { progressToken: rng.int(1, 100) } }
  return msg
}

function nested (depth: number, leaf: Json): Json {
  let value = leaf
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value }
  return value
}

/** Every container slot in the message: [parent, key] pairs a mutation can rewrite. */
function slots (root: Json): Array<[Obj | Json[], string | number]> {
  const out: Array<[Obj | Json[], string | number]> = []
  const stack: Json[] = [root]
  while (stack.length > 0 && out.length < 500) {
    const node = stack.pop()
    if (node === null || typeof node !== 'object') continue
    const entries: Array<[string | number, Json]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node)
    for (const [key, value] of entries) {
      out.push([node as Obj, key])
      stack.push(value)
    }
  }
  return out
}

const MUTATIONS = ['delete', 'swap', 'huge', 'nasty', 'deep', 'bigArray', 'addField', 'id', 'method', 'jsonrpc'] as const
export type Mutation = typeof MUTATIONS[number]

/** Applies one random mutation in place; returns its name for the summary. */
export function mutate (rng: Rng, msg: Obj): Mutation {
  const kind = rng.pick(MUTATIONS)
  const all = slots(msg)
  const [parent, key] = all.length > 0 ? rng.pick(all) : [msg, 'params']
  const set = (value: Json) => { (parent as Record<string | number, Json>)[key] = value }
  switch (kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key as string]
      break
    case 'swap': set(rng.weirdValue()); break
    case 'huge': set(rng.hugeText()); break
    case 'nasty': set(rng.nastyText(500)); break
    case 'deep': set(nested(rng.pick([8, 31, 33, 100, 2000]), rng.nastyText(5))); break
    case 'bigArray': set(Array.from({ length: rng.pick([50, 1000, 1001, 5000, 30_000]) }, (_, i) => (i % 3 === 0 ? 'x' : i))); break
    case 'addField': msg[rng.pick(['extra', 'result', 'error', 'params', 'id'])] = rng.weirdValue(); break
    case 'id': if (rng.chance(0.2)) delete msg.id; else msg.id = rng.pick(IDS); break
    case 'method': msg.method = rng.pick<Json>(['', 'tools/cal', 'TOOLS/LIST', 'rpc.discover', 'notifications/x', 'x'.repeat(10_000), 1, null, ['ping']]); break
    case 'jsonrpc': msg.jsonrpc = rng.pick<Json>(['1.0', 2, 2.0, '2.0 ', null, undefined]); break
  }
  return kind
}

/** A message for `method` with 0–3 mutations (0 about a quarter of the time: valid traffic too). */
export function fuzzedMessage (rng: Rng, method: Method): { msg: Obj, mutations: Mutation[] } {
  const msg = baseMessage(rng, method)
  const mutations: Mutation[] = []
  const n = rng.weighted([[1, 0], [2, 1], [1, 2], [0.5, 3]])
  for (let i = 0; i < n; i++) mutations.push(mutate(rng, msg))
  return { msg, mutations }
}

/** A batch: mostly 2–8 mixed messages, sometimes empty, oversized or nested. */
export function fuzzedBatch (rng: Rng): Json {
  const shape = rng.weighted<string>([[8, 'mixed'], [1, 'empty'], [1, 'oversized'], [1, 'nested'], [1, 'duplicate-ids']])
  if (shape === 'empty') return []
  if (shape === 'oversized') return Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' }))
  if (shape === 'duplicate-ids') return [1, 2, 3].map(() => ({ jsonrpc: '2.0', id: 7, method: rng.pick(['ping', 'tools/list']) }))
  const items = Array.from({ length: rng.int(2, 8) }, () => fuzzedMessage(rng, rng.pick(METHODS.filter((m) => m !== 'initialize'))).msg)
  if (shape === 'nested') items.push([{ jsonrpc: '2.0', id: 1, method: 'ping' }] as unknown as Obj)
  if (rng.chance(0.1)) items.push(baseMessage(rng, 'initialize'))
  return items
}
