// Confirmations: a tool call the catalog marks (ToolSpec.needsConfirmation) puts its question to
// the user before it runs. One handler serves both eras through the SDK's multi-round-trip API:
// the call returns `inputRequired(...)` with a form elicitation; a 2026-07-28 client answers it
// and retries the call, and on a 2025-era session the SDK's legacy shim sends a real
// elicitation/create on the request's own stream and re-enters the handler with the answer.
//
// What was asked travels in `requestState`, sealed (HMAC-SHA256) with a key every replica holds,
// so the retry may land on any replica and no process keeps anything. The state names the exact
// call (caller, tool, arguments): an answer counts only for the question this gateway put about
// this very call, and only for TTL_SECONDS.
import { createHash, randomBytes } from 'node:crypto'
import {
  createRequestStateCodec, inputRequired, inputResponse,
  type ClientCapabilities, type ElicitRequestFormParams, type InputRequiredResult, type RequestStateCodec, type ServerContext,
} from '@modelcontextprotocol/server'

/** The input request's key, and the form: one box to tick. */
const KEY = 'confirm'
const FORM: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: { confirm: { type: 'boolean', title: 'Yes, go ahead' } },
  required: ['confirm'],
}

/** How long a question stays answerable: a person reads it (the SDK's legacy shim waits as long). */
const TTL_SECONDS = 600

/** The sealed state: which call was asked about, as a digest (the client can read the payload). */
interface Asked { call: string }

/** What the user said. Anything but `confirmed` means the call must not run. */
export type Verdict = 'confirmed' | 'declined' | 'cancelled' | 'unconfirmed'

/** The verdict on `question` for the call `call` identifies, or the result that asks it. */
export type Ask = (call: string, question: string) => Promise<Verdict | InputRequiredResult>

/**
 * Whether a form elicitation can reach this client: it declared `elicitation` with form mode, or
 * with no mode at all (what a bare declaration meant before modes; the SDK reads it so too).
 */
export function answersForms (declared: ClientCapabilities | undefined): boolean {
  const elicitation = declared?.elicitation
  return typeof elicitation === 'object' && elicitation !== null && (elicitation.form !== undefined || elicitation.url === undefined)
}

export class Confirmations {
  /**
   * For ServerOptions.requestState.verify: the SDK runs it before the handler on every round that
   * carries state, and answers -32602 for state that fails (tampered, expired, another key).
   */
  readonly verify: (state: string, ctx: ServerContext) => Promise<unknown>
  private readonly codec: RequestStateCodec<Asked>

  /** Without a key, a random one: the state is then good only in this process. */
  constructor (key: Uint8Array = randomBytes(32)) {
    this.codec = createRequestStateCodec<Asked>({ key, ttlSeconds: TTL_SECONDS })
    this.verify = this.codec.verify
  }

  /** The `Ask` for one request: `ctx` carries the answer and the verified state of a retry. */
  askFor (ctx: ServerContext): Ask {
    return async (call, question) => {
      const id = createHash('sha256').update(call).digest('base64url')
      if (ctx.mcpReq.requestState<Asked>()?.call === id) {
        const answer = inputResponse(ctx.mcpReq.inputResponses, KEY)
        if (answer.kind === 'elicit') {
          if (answer.action === 'decline') return 'declined'
          if (answer.action === 'cancel') return 'cancelled'
          // The SDK does not check accepted content against the form: only a ticked box counts.
          return answer.content?.[KEY] === true ? 'confirmed' : 'unconfirmed'
        }
      }
      // A first round, or an answer to another question: ask.
      return inputRequired({
        inputRequests: { [KEY]: inputRequired.elicit({ message: question, requestedSchema: FORM }) },
        requestState: await this.codec.mint({ call: id }),
      })
    }
  }
}
