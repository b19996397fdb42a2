// The process-wide MCP catalog: every tool, prompt and resource template, with its JSON Schema,
// compiled validator and the list results, built ONCE when the process starts. A session server
// only points its handlers here, which is what makes opening a session cheap (the baseline builds
// an McpServer and converts every zod schema again for each session and each tools/list).
import type { TObject } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type {
  ListPromptsResult, ListResourceTemplatesResult, ListToolsResult, Tool,
} from '@modelcontextprotocol/server'
import type { AccessPolicy } from './access.js'
import { ResourceUpdates } from './resource-updates.js'
import { SharedCalls } from './shared-calls.js'
import { stable } from './stable-json.js'
import type {
  CatalogSpec, CompleterSpec, ErrorPolicy, PromptSpec, ResourceTemplateSpec, TargetHook, ToolSpec,
} from './catalog-types.js'

export * from './catalog-types.js'

export interface Compiled<S> {
  spec: S
  check: TypeCheck<TObject>
}

/** A plain-JSON copy: TypeBox marks schemas with symbol keys that must not leak to the wire. */
function plain<T> (value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/**
 * Inputs are validated after defaults are filled in, so a defaulted property is required by the
 * validator (and typed as present in handlers) yet optional for the client, as `default` says.
 */
function clientSchema (schema: TObject): Tool['inputSchema'] {
  const wire = plain(schema) as Tool['inputSchema'] & { required?: string[] }
  const props = (wire.properties ?? {}) as Record<string, { default?: unknown }>
  const required = (wire.required ?? []).filter((name) => props[name]?.default === undefined)
  if (required.length > 0) wire.required = required
  else delete wire.required
  return wire
}

function describeTool (spec: ToolSpec): Tool {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: clientSchema(spec.input),
    outputSchema: plain(spec.output) as Tool['outputSchema'],
    annotations: { title: spec.title, ...spec.hints },
  }
}

function describePrompt (spec: PromptSpec): ListPromptsResult['prompts'][number] {
  const required = new Set(clientSchema(spec.args).required ?? [])
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    arguments: Object.entries(spec.args.properties).map(([name, schema]) => ({
      name, description: schema.description, required: required.has(name),
    })),
  }
}

// What a caller may do indexes the precomputed lists: bit 1 = may read, bit 2 = may write.
function accessIndex (access: AccessPolicy): number {
  return (access.may('read') ? 1 : 0) | (access.may('write') ? 2 : 0)
}

const NO_TARGET: TargetHook = { label: 'target', of: () => null }

export class Catalog {
  readonly tools: ReadonlyMap<string, Compiled<ToolSpec>>
  readonly prompts: ReadonlyMap<string, Compiled<PromptSpec>>
  readonly templates: ReadonlyArray<Compiled<ResourceTemplateSpec>>
  readonly completers: ReadonlyMap<string, CompleterSpec>
  readonly errors: ErrorPolicy
  readonly instructions: string
  readonly logger: string
  readonly target: TargetHook
  /** Identical read-only tool calls in flight, shared (shared-calls.ts). */
  readonly shared = new SharedCalls()
  /** Resource topics that changed, for the sessions subscribed to them (resource-updates.ts). */
  readonly updates = new ResourceUpdates()
  private readonly toolLists: ListToolsResult[]
  private readonly promptLists: ListPromptsResult[]
  private readonly templateLists: ListResourceTemplatesResult[]

  constructor (spec: CatalogSpec) {
    this.tools = new Map(spec.tools.map((t) => [t.name, { spec: t, check: TypeCompiler.Compile(t.input) }]))
    this.prompts = new Map(spec.prompts.map((p) => [p.name, { spec: p, check: TypeCompiler.Compile(p.args) }]))
    this.templates = spec.templates.map((r) => ({ spec: r, check: TypeCompiler.Compile(r.params) }))
    this.completers = new Map(spec.completers.map((c) => [c.argument, c]))
    this.errors = spec.errors
    this.instructions = spec.instructions
    this.logger = spec.logger
    this.target = spec.target ?? NO_TARGET
    if (this.tools.size !== spec.tools.length) throw new Error('duplicate tool name in catalog')

    const described = spec.tools.map((t) => ({ access: t.access, tool: describeTool(t) }))
    const prompts = { prompts: spec.prompts.map(describePrompt) }
    const templates = {
      resourceTemplates: spec.templates.map((r) => ({
        uriTemplate: r.uriTemplate, name: r.name, title: r.title, description: r.description, mimeType: 'text/markdown',
      })),
    }
    this.toolLists = []
    this.promptLists = []
    this.templateLists = []
    for (let bits = 0; bits < 4; bits++) {
      const permitted = described.filter((d) => (d.access === 'read' ? bits & 1 : bits & 2) !== 0)
      // stable(): deep-frozen, and serialised once for every answer (see stable-json.ts).
      this.toolLists.push(stable({ tools: permitted.map((d) => d.tool) }))
      // Prompts and resources only read, so they exist only for callers that may read.
      this.promptLists.push(stable(bits & 1 ? prompts : { prompts: [] }))
      this.templateLists.push(stable(bits & 1 ? templates : { resourceTemplates: [] }))
    }
  }

  /** The tools/list result for what this caller may do: the same object every time, never rebuilt. */
  /** Which precomputed lists `access` sees: callers with equal variants get identical lists. */
  listVariant (access: AccessPolicy): number {
    return accessIndex(access)
  }

  toolsList (access: AccessPolicy): ListToolsResult {
    return this.toolLists[accessIndex(access)]
  }

  promptsList (access: AccessPolicy): ListPromptsResult {
    return this.promptLists[accessIndex(access)]
  }

  templatesList (access: AccessPolicy): ListResourceTemplatesResult {
    return this.templateLists[accessIndex(access)]
  }
}
