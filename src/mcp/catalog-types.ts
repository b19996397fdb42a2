// The shapes a domain module registers into the catalog. Nothing here knows about a domain or
// HTTP: a tool is a schema pair plus a function, and the catalog does the rest.
import type { Static, TObject } from '@sinclair/typebox'
import type { GetPromptResult, LoggingLevel } from '@modelcontextprotocol/server'
import type { AccessKind, CallerAccess } from './access.js'

export interface ToolHints {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

/** What a handler may use while it runs; built per request, never per session. */
export interface RequestContext {
  access: CallerAccess
  /** Aborted when the client cancels the request or the session closes. */
  signal: AbortSignal
}

export interface ToolContext extends RequestContext {
  /** Sends notifications/progress on the request's own stream; a no-op unless the client asked. */
  progress (done: number, total: number, message?: string): Promise<void>
  /** The client asked for progress (sent a progress token); such a call is never shared. */
  tracksProgress?: boolean
  /** Sends notifications/message if the session's logging/setLevel lets this level through. */
  log (level: LoggingLevel, message: string): Promise<void>
}

/** Short markdown for the model plus the object that matches the tool's outputSchema. */
export interface ToolOutput<T> {
  text: string
  data: T
}

export interface ToolSpec<I extends TObject = TObject, O extends TObject = TObject> {
  name: string
  title: string
  description: string
  access: AccessKind
  input: I
  output: O
  hints: ToolHints
  /**
   * The question to put to the user before this call runs (closing something, a large batch), or
   * undefined when it needs none. It is asked only where the client can answer (confirmation.ts);
   * elsewhere the call runs unasked. Declined, the call does nothing.
   */
  needsConfirmation? (args: Static<I>): string | undefined
  run (args: Static<I>, ctx: ToolContext): Promise<ToolOutput<Static<O>>>
}

export interface PromptSpec<A extends TObject = TObject> {
  name: string
  title: string
  description: string
  /** Wire arguments are strings; the schema says what they coerce to (integer, pattern, ...). */
  args: A
  get (args: Static<A>, ctx: RequestContext): Promise<GetPromptResult>
}

export interface ResourceTemplateSpec<P extends TObject = TObject> {
  name: string
  title: string
  uriTemplate: string
  description: string
  /** Matches a concrete URI; named groups become the (string) parameters checked against `params`. */
  pattern: RegExp
  params: P
  read (params: Static<P>, ctx: RequestContext): Promise<string>
  /**
   * The update topics a subscription to one of its URIs listens on (resource-updates.ts), from
   * its checked parameters; absent: the URI itself.
   */
  topics? (params: Static<P>): string[]
}

/** Suggests values for one argument name wherever it appears (prompt or resource template). */
export interface CompleterSpec {
  argument: string
  complete (prefix: string, context: Readonly<Record<string, string>>, ctx: RequestContext): Promise<string[]>
}

/** Turns whatever a handler threw into words for the model or a JSON-RPC error for the client. */
export interface ErrorPolicy {
  /** `internal` marks a bug rather than an upstream answer: it is logged with its stack, never shown. */
  toolError (error: unknown): { message: string, internal: boolean }
  /** For prompts/get and resources/read, which answer failures with JSON-RPC errors. */
  protocolError (error: unknown, kind: 'prompt' | 'resource'): Error
}

/**
 * What an invocation touches (a project, a folder, an account...), read from its arguments:
 * checked with the caller's access.reaches() before any handler runs, and named in the audit line.
 */
export interface TargetHook {
  /** The audit line's field name for the target. */
  label: string
  /** The target the arguments name, or null when they name none (it is then not checked). */
  of (args: Readonly<Record<string, unknown>>): string | null
}

export interface CatalogSpec {
  tools: ToolSpec[]
  prompts: PromptSpec[]
  templates: ResourceTemplateSpec[]
  completers: CompleterSpec[]
  errors: ErrorPolicy
  /** Sent to every client in the initialize result: how to use these tools safely. */
  instructions: string
  /** The logger name on notifications/message the handlers send. */
  logger: string
  target?: TargetHook
}

/** Identity functions that keep each spec's schema types tied to its handler. */
export const defineTool = <I extends TObject, O extends TObject>(spec: ToolSpec<I, O>): ToolSpec => spec as unknown as ToolSpec
export const definePrompt = <A extends TObject>(spec: PromptSpec<A>): PromptSpec => spec as unknown as PromptSpec
export const defineTemplate = <P extends TObject>(spec: ResourceTemplateSpec<P>): ResourceTemplateSpec =>
  spec as unknown as ResourceTemplateSpec
