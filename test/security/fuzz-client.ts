// The wire side of the fuzz test: requests over real sockets (node:http with a keep-alive agent,
// and raw net sockets for malformed HTTP), each bounded by a timeout so a hang is reported, not waited on.
import http from 'node:http'
import net from 'node:net'

export interface Outcome {
  /** HTTP status, or 'timeout' / 'error:<code>' when no complete response arrived. */
  status: number | string
  contentType: string
  /** The first 64 KiB of the body; `truncated` when there was more. */
  body: string
  truncated?: boolean
  sessionId?: string
  /** A GET/HEAD event stream, read up to its first bytes and then dropped (they never end by themselves). */
  stream: boolean
}

export interface WireRequest {
  method: string
  path: string
  headers: Array<[string, string]>
  body?: string | Buffer
}

const KEEP = 64 * 1024
/** BODY_LIMIT_BYTES of the fuzzed gateway: a larger body may be cut off with 413 before it is sent. */
export const OVERSIZED = 262_144

/** `timeoutLabel` names what running out of `timeoutMs` means: a hang, or a client giving up on purpose. */
export function send (agent: http.Agent, port: number, req: WireRequest, timeoutMs: number, timeoutLabel = 'timeout'): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false
    const done = (o: Outcome) => { if (!settled) { settled = true; resolve(o) } }
    const failed = (status: string): Outcome => ({ status, contentType: '', body: '', stream: false })
    let request: http.ClientRequest
    // Raw (array) headers get no defaults from node: Host is added unless the request sets one, and
    // Content-Length always (node sends a GET/HEAD/DELETE/OPTIONS body unframed otherwise).
    const headers = req.headers.some(([name]) => name === 'host') ? [...req.headers] : [['host', `127.0.0.1:${port}`], ...req.headers]
    if (req.body !== undefined) headers.push(['content-length', String(Buffer.byteLength(req.body))])
    // Past the server's header or body limits, node/Fastify answer early and close the connection;
    // a fresh connection keeps that close from hitting the next request on a pooled socket.
    const big = req.path.length + headers.reduce((n, [k, v]) => n + k.length + v.length, 0) > 8192 ||
      (req.body !== undefined && Buffer.byteLength(req.body) > OVERSIZED)
    try {
      request = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: headers.flat(), agent: big ? false : agent }, (res) => {
        const chunks: Buffer[] = []
        let size = 0
        const contentType = String(res.headers['content-type'] ?? '')
        const sessionId = res.headers['mcp-session-id']
        const outcome = (stream: boolean): Outcome => ({
          status: res.statusCode ?? 0, contentType, body: Buffer.concat(chunks).toString('utf8'), stream, truncated: size > KEEP,
          sessionId: typeof sessionId === 'string' ? sessionId : undefined
        })
        const endless = contentType.startsWith('text/event-stream') && req.method !== 'POST'
        res.on('data', (chunk: Buffer) => {
          if (size < KEEP) chunks.push(chunk)
          size += chunk.length
          if (endless) { done(outcome(true)); request.destroy() }
        })
        res.on('end', () => done(outcome(false)))
        res.on('error', () => done(failed(`error:body-${res.statusCode ?? 0}`)))
      })
    } catch (err) {
      return done(failed(`client-refused:${(err as NodeJS.ErrnoException).code ?? 'error'}`))
    }
    request.setTimeout(timeoutMs, () => { done(failed(timeoutLabel)); request.destroy() })
    request.on('error', (err: NodeJS.ErrnoException) => done(failed(`error:${err.code ?? err.message}`)))
    request.end(req.body)
  })
}

/** Runs `worker` over `items` with at most `concurrency` at a time; none is started after `deadline`. */
export async function runPool<T> (items: readonly T[], concurrency: number, deadline: number, worker: (item: T) => Promise<void>): Promise<number> {
  let next = 0
  const lane = async () => {
    while (next < items.length && Date.now() < deadline) await worker(items[next++])
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return next
}

export interface RawOutcome {
  /** Status of the first response on the connection, or null when the server closed without one. */
  status: number | null
  firstLine: string
  timedOut: boolean
}

/** Writes bytes to a fresh connection, half-closes it, and reads whatever comes back. */
export function raw (port: number, payload: string | Buffer, timeoutMs: number): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; socket.destroy() }, timeoutMs)
    socket.on('connect', () => socket.end(payload))
    socket.on('data', (chunk: Buffer) => { if (chunks.length < 64) chunks.push(chunk) })
    socket.on('error', () => {}) // a reset after the server answered and closed is fine
    socket.on('close', () => {
      clearTimeout(timer)
      const firstLine = Buffer.concat(chunks).toString('latin1').split('\r\n', 1)[0]
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(firstLine)
      resolve({ status: status ? Number(status[1]) : null, firstLine, timedOut })
    })
  })
}
