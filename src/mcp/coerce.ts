// Prompt arguments and URI template variables arrive as strings. Integer-typed properties accept
// only plain decimal digits ("12", not "12abc" or "1.5"), so coercion never guesses.
import type { TObject } from '@sinclair/typebox'

const DECIMAL = /^-?\d{1,15}$/

export function coerceStrings (schema: TObject, raw: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw }
  for (const [name, prop] of Object.entries(schema.properties)) {
    const value = out[name]
    if (prop.type === 'integer' && typeof value === 'string' && DECIMAL.test(value)) out[name] = Number(value)
  }
  return out
}
