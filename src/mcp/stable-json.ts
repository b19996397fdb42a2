// Results that never change for the life of the process (the catalog's list results, remembered
// tool outputs) are serialised once. tools/list is ~21 KB of JSON: stringifying it on every call
// was a quarter of the gateway's CPU for that request in the benchmark, and its text holds
// non-ASCII characters (– →), so even a cached string cost a UTF-8 length scan (Fastify's
// content-length) and a UTF-8 encoding (the socket write) per answer, ~30 µs together. A JSON
// answer is therefore sent as bytes encoded once.
import { deepFreeze } from '../deep-freeze.js'

/** A stable value's JSON, and the same text as UTF-8 bytes once an answer has needed them. */
interface Serialised { json: string, bytes?: Buffer }
const serialised = new WeakMap<object, Serialised>()

/** Declares `value` immutable (deep-frozen, so a later write throws) and caches its JSON. */
export function stable<T extends object> (value: T): T {
  deepFreeze(value)
  serialised.set(value, { json: JSON.stringify(value) })
  return value
}

const cached = (value: unknown): Serialised | undefined =>
  value !== null && typeof value === 'object' ? serialised.get(value) : undefined

/** The cached JSON of a value passed to stable(), else undefined. */
export function stableJson (value: unknown): string | undefined {
  return cached(value)?.json
}

const responsePrefix = (id: unknown) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`
const CLOSE = Buffer.from('}')

/** JSON text of a JSON-RPC message, splicing in a stable result's cached JSON. */
export function messageJson (message: object): string {
  const entry = 'result' in message && 'id' in message ? cached(message.result) : undefined
  return entry === undefined ? JSON.stringify(message) : `${responsePrefix((message as { id: unknown }).id)}${entry.json}}`
}

/**
 * A JSON-RPC message as an HTTP body: for a stable result, UTF-8 bytes built around its
 * once-encoded JSON (the same text messageJson gives); otherwise the JSON text.
 */
export function messageBody (message: object): string | Buffer {
  const entry = 'result' in message && 'id' in message ? cached(message.result) : undefined
  if (entry === undefined) return JSON.stringify(message)
  const bytes = (entry.bytes ??= Buffer.from(entry.json, 'utf8'))
  const prefix = Buffer.from(responsePrefix((message as { id: unknown }).id), 'utf8')
  return Buffer.concat([prefix, bytes, CLOSE], prefix.length + bytes.length + 1)
}
