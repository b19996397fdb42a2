// Wire faults: the stand-in handles the request as usual (a write lands, quota is spent) and
// then breaks its answer on the wire, as a dying connection, a stuck proxy or a maintenance page
// does. That is the hardest case for a client: it cannot tell whether a write was made.
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export type WireFault = (
  /** TCP reset, before any byte of the answer or after its headers and half its body. */
  | { kind: 'reset', when?: 'before-headers' | 'after-headers' }
  /** Never answers, or sends the headers and half the body and then nothing more. */
  | { kind: 'hang', when?: 'before-headers' | 'after-headers' }
  /** The real content-length, `sendBytes` of the body (default half), then the connection closes. */
  | { kind: 'truncate', sendBytes?: number }
  /** The real answer with its `body` field padded to `bytes` in all, streamed; chunked unless `declareLength`. */
  | { kind: 'huge', bytes: number, declareLength?: boolean }
  /** A proxy's or maintenance HTML page with this status (default 200), none of GitHub's headers. */
  | { kind: 'html', status?: number }
  /** The real status and headers, and the first half of the JSON, correctly framed. */
  | { kind: 'bad-json' }
) & { count?: number }

export type WireFaultKind = WireFault['kind']

/** What the stand-in would have answered. */
export interface Answered { status: number, headers: Record<string, string>, body?: string }

export const MAINTENANCE_PAGE = '<!DOCTYPE html>\n<html><head><title>Down for maintenance</title></head>' +
  '<body><h1>We are down for scheduled maintenance</h1><p>Please try again in a few minutes.</p></body></html>\n'

const JSON_TYPE = 'application/json; charset=utf-8'
// The padding in a huge answer: one shared chunk, so streaming N MiB allocates nothing per MiB.
const FILLER = Buffer.alloc(64 * 1024, 'x')
const MARK = '@@sandbox-huge-body@@'

const halfOf = (text: string): Buffer => { const b = Buffer.from(text); return b.subarray(0, Math.floor(b.length / 2)) }

/** Writes `data` and waits until it has left for the socket (or the socket is gone). */
const flushed = (res: ServerResponse, data: Buffer | string): Promise<void> =>
  new Promise((resolve) => { if (!res.write(data, () => resolve())) res.once('close', resolve) })

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The answer's JSON with its (first) issue's body standing for the padding: [before, after]. */
function padded (body: string | undefined): [string, string] {
  let value: unknown
  try { value = JSON.parse(body ?? 'null') } catch { value = null }
  const top = value as { items?: unknown[] } | unknown[] | null
  const target = [top, Array.isArray(top) ? top[0] : top?.items?.[0]].find(isObject)
  // No object to pad (an empty list, a 204): the answer becomes one long JSON string.
  if (target === undefined) value = MARK
  else target.body = MARK
  const text = JSON.stringify(value)
  const at = text.indexOf(MARK)
  return [text.slice(0, at), text.slice(at + MARK.length)]
}

async function* hugeBody (head: string, fill: number, tail: string): AsyncGenerator<Buffer> {
  yield Buffer.from(head)
  for (let left = fill; left > 0; left -= FILLER.length) yield left >= FILLER.length ? FILLER : FILLER.subarray(0, left)
  yield Buffer.from(tail)
}

/** Sends `answer` broken as `fault` says; resolves when the stand-in is done with the socket. */
export async function sendBroken (res: ServerResponse, answer: Answered, fault: WireFault): Promise<void> {
  const socket = res.socket
  const body = Buffer.from(answer.body ?? '')
  const withLength = { ...answer.headers, 'content-type': JSON_TYPE, 'content-length': String(body.length) }
  switch (fault.kind) {
    case 'reset':
    case 'hang':
      if (fault.when === 'after-headers') {
        res.writeHead(answer.status, withLength)
        await flushed(res, body.subarray(0, Math.floor(body.length / 2)))
      }
      if (fault.kind === 'reset') socket?.resetAndDestroy()
      return // a hang: the socket stays open until the client gives up or the stand-in closes
    case 'truncate': {
      res.writeHead(answer.status, withLength)
      await flushed(res, body.subarray(0, Math.min(fault.sendBytes ?? Math.floor(body.length / 2), body.length - 1)))
      socket?.end()
      return
    }
    case 'html': {
      const page = Buffer.from(MAINTENANCE_PAGE)
      res.writeHead(fault.status ?? 200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(page.length) })
      res.end(page)
      return
    }
    case 'bad-json': {
      const half = halfOf(answer.body ?? '{}')
      res.writeHead(answer.status, { ...answer.headers, 'content-type': JSON_TYPE, 'content-length': String(half.length) })
      res.end(half)
      return
    }
    case 'huge': {
      const [head, tail] = padded(answer.body)
      const fill = Math.max(0, fault.bytes - Buffer.byteLength(head) - Buffer.byteLength(tail))
      const headers: Record<string, string> = { ...answer.headers, 'content-type': JSON_TYPE }
      if (fault.declareLength === true) headers['content-length'] = String(Buffer.byteLength(head) + fill + Buffer.byteLength(tail))
      res.writeHead(answer.status, headers)
      // A client that stops reading (it refused the answer) ends the stream: not a stand-in failure.
      await pipeline(Readable.from(hugeBody(head, fill, tail)), res).catch(() => {})
    }
  }
}
