// Schema-fuzz variants of a real GitHub payload: one field at a time removed, nulled, or given a
// wrong type, down to the fields of nested objects (the author, a label, the reactions); for a
// list, the fields of its first item, and that item replaced by something that is not an item.
export type Path = ReadonlyArray<string | number>

export interface Variant {
  label: string
  /** Where the change is: inside one item of a list (the rest of the list must still be served). */
  inItem: boolean
  change (body: unknown): unknown
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Field paths down to `depth` levels of objects; a list of objects is entered through its first item. */
export function fieldPaths (value: unknown, depth: number, prefix: Path = []): Path[] {
  if (depth === 0) return []
  if (Array.isArray(value)) return isObject(value[0]) ? fieldPaths(value[0], depth, [...prefix, 0]) : []
  if (!isObject(value)) return []
  return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, depth - 1, [...prefix, k])])
}

/** A value of another JSON type than `v`: what a careless proxy or a changed API might send. */
export function wrongType (v: unknown): unknown {
  if (typeof v === 'string') return 42
  if (v === null || typeof v === 'number') return 'not-a-number'
  if (typeof v === 'boolean') return 'yes'
  if (Array.isArray(v)) return { unexpected: true }
  return ['unexpected']
}

type Op = 'removed' | 'null' | 'wrong type'

function apply (body: unknown, path: Path, op: Op): unknown {
  let parent = body as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) {
    parent = parent[key] as Record<string | number, unknown>
    if (typeof parent !== 'object' || parent === null) return body // another answer of this path, without that field
  }
  const key = path[path.length - 1]
  if (op === 'removed' && Array.isArray(parent)) parent.splice(key as number, 1)
  else if (op === 'removed') delete parent[key]
  else parent[key] = op === 'null' ? null : wrongType(parent[key])
  return body
}

/** Every variant of `sample` (a real answer), to depth levels of nesting. */
export function variantsOf (sample: unknown, depth = 3): Variant[] {
  const paths = fieldPaths(sample, depth)
  // Whole items of a top-level list, replaced by things that are not items.
  const items: Variant[] = Array.isArray(sample) && sample.length > 0
    ? [null, 'not-an-issue', 7, []].map((odd) => ({
        label: `[0] = ${JSON.stringify(odd)}`,
        inItem: true,
        change: (body: unknown) => (body as unknown[]).map((x, i) => (i === 0 ? odd : x)),
      }))
    : []
  const ops: Op[] = ['removed', 'null', 'wrong type']
  return [...items, ...paths.flatMap((path) => ops.map((op) => ({
    label: `${path.join('.')} ${op}`,
    inItem: path.some((k) => typeof k === 'number'),
    change: (body: unknown) => apply(body, path, op),
  })))]
}
