// Errors whose message is written for the model and safe to show as is. Anything else a handler
// throws goes through the domain's ErrorPolicy, which never shows raw errors.

export class ToolError extends Error {
  override name = 'ToolError'
}

/** An access-control refusal: no upstream request was made; audited as outcome 'refused'. */
export class AccessRefusal extends ToolError {
  override name = 'AccessRefusal'
}
