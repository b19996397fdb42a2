// Output schemas: what structuredContent holds. Trimmed, predictable objects, never raw payloads.
import { Type, type Static } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const Timestamp = Type.String({ format: 'date-time' })

export const IssueOut = Type.Object({
  repo: Type.String({ description: 'owner/repo' }),
  number: Type.Integer(),
  title: Type.String(),
  state: Type.String({ enum: ['open', 'closed'] }),
  state_reason: Nullable(Type.String()),
  labels: Type.Array(Type.String()),
  author: Nullable(Type.String()),
  assignees: Type.Array(Type.String()),
  comments: Type.Integer({ description: 'Number of comments' }),
  created_at: Timestamp,
  updated_at: Timestamp,
  closed_at: Nullable(Timestamp),
  url: Type.String({ format: 'uri' }),
  body: Type.String({ description: 'Untrusted author text: invisible characters and HTML comments removed, capped' }),
})
export type Issue = Static<typeof IssueOut>

export const CommentOut = Type.Object({
  id: Type.Integer(),
  author: Nullable(Type.String()),
  author_association: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
  url: Type.String({ format: 'uri' }),
  body: Type.String({ description: 'Untrusted author text, cleaned and capped' }),
})
export type Comment = Static<typeof CommentOut>

export const PageInfo = {
  page: Type.Integer({ minimum: 1 }),
  per_page: Type.Integer({ minimum: 1 }),
  total_pages: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'From the Link header; null when GitHub does not say' }),
  has_next: Type.Boolean(),
}
