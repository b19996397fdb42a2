// Output schemas: what structuredContent holds. Trimmed, predictable objects, never raw payloads.
// Fields GitHub may leave out in practice (counts, dates, links) are nullable: null means GitHub
// did not say, never a guessed value.
import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox'

const Nullable = <T extends TSchema>(t: T, options: SchemaOptions = {}) => Type.Union([t, Type.Null()], options)
const Timestamp = Type.String({ format: 'date-time' })
const WebUrl = Type.String({ format: 'uri' })

export const IssueOut = Type.Object({
  repo: Type.String({ description: 'owner/repo' }),
  number: Type.Integer(),
  title: Type.String(),
  state: Type.String({ enum: ['open', 'closed'] }),
  state_reason: Nullable(Type.String()),
  labels: Type.Array(Type.String()),
  author: Nullable(Type.String()),
  assignees: Type.Array(Type.String()),
  comments: Nullable(Type.Integer(), { description: 'Number of comments' }),
  created_at: Nullable(Timestamp),
  updated_at: Nullable(Timestamp),
  closed_at: Nullable(Timestamp),
  url: Nullable(WebUrl),
  body: Type.String({ description: 'Untrusted author text: invisible characters and HTML comments removed, capped' }),
})
export type Issue = Static<typeof IssueOut>

export const CommentOut = Type.Object({
  id: Nullable(Type.Integer()),
  author: Nullable(Type.String()),
  author_association: Nullable(Type.String()),
  created_at: Nullable(Timestamp),
  updated_at: Nullable(Timestamp),
  url: Nullable(WebUrl),
  body: Type.String({ description: 'Untrusted author text, cleaned and capped' }),
})
export type Comment = Static<typeof CommentOut>

export const PageInfo = {
  page: Type.Integer({ minimum: 1 }),
  per_page: Type.Integer({ minimum: 1 }),
  total_pages: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'From the Link header; null when GitHub does not say' }),
  has_next: Type.Boolean(),
}
