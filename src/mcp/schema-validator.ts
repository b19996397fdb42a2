// The SDK's Server builds a new Ajv (plus formats) in its constructor unless it is given a
// validator; that alone would dominate session set-up. The gateway never elicits input, so the
// validator is only a fallback: one shared instance, created on first use.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv'
import type { jsonSchemaValidator } from '@modelcontextprotocol/server'

let ajv: AjvJsonSchemaValidator | undefined

export const sharedSchemaValidator: jsonSchemaValidator = {
  getValidator (schema) {
    ajv ??= new AjvJsonSchemaValidator()
    return ajv.getValidator(schema)
  },
}
