// Reading a successful answer's body for Octokit. Octokit parses JSON with json-with-bigint, a
// JavaScript parser that turns integers past 2^53 into BigInt; GitHub's ids and counts stay far
// below that, and a BigInt would fail later anyway where tool outputs are serialised. It cost
// several times the native JSON.parse, on every answer, 304 replays included (bench/PROFILE.md).
// So the client sets Octokit's public `parseSuccessResponseBody: false`, which leaves a success's
// body unread, and reads it here with the same rules as Octokit's getResponseData: JSON by media
// type, text for text/* and UTF-8, bytes otherwise; unparseable JSON stays text (the request
// policy then rejects it as not JSON). Error answers are still parsed by Octokit.
import { Response, type Headers } from 'undici'

/** Body streams this process handed to Octokit, with the whole bytes behind each one. */
const wholeBodies = new WeakMap<object, Uint8Array>()

/** The Response Octokit receives for an answer already read whole. */
export function responseOf (status: number, headers: Headers, body: Uint8Array | null): Response {
  const res = new Response(body, { status, headers })
  if (body !== null && res.body !== null) wholeBodies.set(res.body, body)
  return res
}

const mediaType = (contentType: string): string => contentType.split(';', 1)[0].trim().toLowerCase()
const isUtf8 = (contentType: string): boolean => /;\s*charset\s*=\s*"?utf-8"?\s*(;|$)/i.test(contentType)

function decode (bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text // as Response.text() does
}

async function bytesOf (body: unknown): Promise<Uint8Array> {
  const known = typeof body === 'object' && body !== null ? wholeBodies.get(body) : undefined
  if (known !== undefined) return known
  return new Uint8Array(await new Response(body as ReadableStream).arrayBuffer())
}

/** What Octokit's `data` would have been had it parsed this success itself. */
export async function successData (body: unknown, contentType: string | undefined): Promise<unknown> {
  if (typeof body !== 'object' || body === null) return body ?? '' // HEAD, 204, 205: Octokit's own ''
  const bytes = await bytesOf(body)
  if (contentType === undefined || contentType === '') return decode(bytes)
  const type = mediaType(contentType)
  if (type === 'application/json' || type === 'application/scim+json') {
    const text = decode(bytes)
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  if (type.startsWith('text/') || (isUtf8(contentType) && type !== 'application/octet-stream')) return decode(bytes)
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
}
