// What Octokit receives from the gateway's fetch, and how a success's body is read.
//
// The fetch Octokit calls (its public `request.fetch`) answers from a Snapshot already read whole,
// so it hands Octokit a small Response of its own: the status, the headers and the bytes, with
// text() and arrayBuffer() for the bodies Octokit reads itself (errors). A WHATWG Response would
// copy the headers and wrap the bytes in a web stream only for Octokit to read them back.
//
// Octokit parses JSON with json-with-bigint, a JavaScript parser that turns integers past 2^53
// into BigInt; GitHub's ids and counts stay far below that, and a BigInt would fail later anyway
// where tool outputs are serialised. It cost several times the native JSON.parse, on every
// answer, 304 replays included (bench/PROFILE.md). So the client sets Octokit's public
// `parseSuccessResponseBody: false`, which leaves a success's body as the Response's `body`, and
// the request policy reads it here with the same rules as Octokit's getResponseData: JSON by
// media type, text for text/* and UTF-8, bytes otherwise; unparseable JSON stays text (the policy
// then rejects it as not JSON). Error answers are still parsed by Octokit.
import type { AnswerHeaders } from './pool.js'

/** A body read whole: what a success's `data` is until the request policy reads it. */
export class WholeBody {
  constructor (readonly bytes: Uint8Array) {}
}

function decode (bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text // as Response.text() does
}

const copyOf = (bytes: Uint8Array): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer

/** The part of a fetch Response that Octokit's fetch wrapper reads. */
export class AnswerResponse {
  readonly url = ''
  readonly statusText = ''
  readonly body: WholeBody | null
  constructor (readonly status: number, readonly headers: AnswerHeaders, bytes: Uint8Array | null) {
    this.body = bytes === null ? null : new WholeBody(bytes)
  }

  async text (): Promise<string> { return this.body === null ? '' : decode(this.body.bytes) }
  async arrayBuffer (): Promise<ArrayBuffer> { return this.body === null ? new ArrayBuffer(0) : copyOf(this.body.bytes) }
}

const mediaType = (contentType: string): string => contentType.split(';', 1)[0].trim().toLowerCase()
const isUtf8 = (contentType: string): boolean => /;\s*charset\s*=\s*"?utf-8"?\s*(;|$)/i.test(contentType)

/** What Octokit's `data` would have been had it parsed this success itself. */
export function successData (body: unknown, contentType: string | undefined): unknown {
  // HEAD, 204, 205 leave Octokit's own ''; every other body is a WholeBody (the client's fetch).
  if (!(body instanceof WholeBody)) return body ?? ''
  const bytes = body.bytes
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
  return copyOf(bytes)
}
