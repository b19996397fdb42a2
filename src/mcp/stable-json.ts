// Results that never change for the life of the process (the catalog's list results, remembered
// tool outputs) are serialised once. tools/list is ~21 KB of JSON: stringifying it on every call
// was a quarter of the gateway's CPU for that request in the benchmark, and its text holds
// non-ASCII characters (– →), so even a cached string cost a UTF-8 length scan (Fastify's
// content-length) and a UTF-8 encoding (the socket write) per answer, ~30 µs together. A JSON
// answer is therefore sent as bytes encoded once.
import { deepFreeze } from '../deep-freeze.js'

const serialised = new WeakMap<object, string>()
const encoded = new WeakMap<object, Buffer>()

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

/** The cached JSON of a stable value as UTF-8 bytes (encoded on first use), else undefined. */
function stableBytes (value: unknown): Buffer | undefined {
  if (value === null || typeof value !== 'object') return undefined
  let bytes = encoded.get(value)
  if (bytes === undefined) {
    const json = serialised.get(value)
    if (json === undefined) return undefined
    bytes = Buffer.from(json, 'utf8')
    encoded.set(value, bytes)
  }
  return bytes
}

const responsePrefix = (id: unknown) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`
const CLOSE = Buffer.from('}')

/** JSON text of a JSON-RPC message, splicing in a stable result's cached JSON. */
export function messageJson (message: object): string {
  const cached = 'result' in message ? stableJson(message.result) : undefined
  if (cached === undefined || !('id' in message)) return JSON.stringify(message)
  return `${responsePrefix(message.id)}${cached}}`
}

/**
 * A JSON-RPC message as an HTTP body: for a stable result, UTF-8 bytes built around its
 * once-encoded JSON (the same text messageJson gives); otherwise the JSON text.
 */
export function messageBody (message: object): string | Buffer {
  if (!('result' in message) || !('id' in message)) return JSON.stringify(message)
  const bytes = stableBytes(message.result)
  if (bytes === undefined) return JSON.stringify(message)
  const prefix = Buffer.from(responsePrefix(message.id), 'utf8')
  return Buffer.concat([prefix, bytes, CLOSE], prefix.length + bytes.length + 1)
}
