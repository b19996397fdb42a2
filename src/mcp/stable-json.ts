// Results that never change for the life of the process (the catalog's list results) are
// serialised once. tools/list is ~20 KB of JSON: stringifying it on every call was a quarter of
// the gateway's CPU for that request in the benchmark.
import { deepFreeze } from '../deep-freeze.js'

const serialised = new WeakMap<object, string>()

/** Declares `value` immutable (deep-frozen, so a later write throws) and caches its JSON. */
export function stable<T extends object> (value: T): T {
  deepFreeze(value)
  serialised.set(value, JSON.stringify(value))
  return value
}

/** The cached JSON of a value passed to stable(), else undefined. */
export function stableJson (value: unknown): string | undefined {
  return value !== null && typeof value === 'object' ? serialised.get(value) : undefined
}

/** JSON text of a JSON-RPC message, splicing in a stable result's cached JSON. */
export function messageJson (message: object): string {
  const cached = 'result' in message ? stableJson(message.result) : undefined
  if (cached === undefined || !('id' in message)) return JSON.stringify(message)
  return `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":${cached}}`
}
