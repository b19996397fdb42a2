// Results that never change for the life of the process (the catalog's list results) are
// serialised once. tools/list is large: stringifying it on every call was a big
// share of that request's cost (bench/PROFILE.md), and its text holds non-ASCII characters (– →),
// so even a cached string costs a UTF-8 length scan (Fastify's content-length) and a UTF-8
// encoding (the socket write) per answer. A JSON answer is therefore sent as bytes encoded once.
import { deepFreeze } from '../deep-freeze.js'

/** A stable value's JSON, and the same text as UTF-8 bytes once an answer has needed them. */
interface Serialised { json: string, bytes?: Buffer }
// A symbol-keyed, non-enumerable property: invisible to JSON.stringify, Object.values (so
// deepFreeze leaves the holder writable for the lazy bytes) and the SDK, and it lives and dies
// with its value.
const SERIALISED = Symbol('serialised JSON')
type Stable = { [SERIALISED]?: Serialised }

/** Declares `value` immutable (deep-frozen, so a later write throws) and caches its JSON. */
export function stable<T extends object> (value: T): T {
  if (cached(value) !== undefined) return value // already declared (a list shared by two entries)
  Object.defineProperty(value, SERIALISED, { value: { json: JSON.stringify(value) } satisfies Serialised })
  return deepFreeze(value)
}

const cached = (value: unknown): Serialised | undefined =>
  value !== null && typeof value === 'object' ? (value as Stable)[SERIALISED] : undefined

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
