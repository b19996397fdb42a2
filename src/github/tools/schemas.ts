// Input building blocks with GitHub's real bounds, shared by every tool, prompt and template.
import { Kind, Type, TypeRegistry, type SchemaOptions, type TUnsafe } from '@sinclair/typebox'

// A plain JSON Schema `enum` reads better for models than TypeBox's anyOf-of-consts; the
// registry entry lets the compiled validators check it.
TypeRegistry.Set<{ enum: string[] }>('StringEnum', (schema, value) =>
  typeof value === 'string' && schema.enum.includes(value))

export function StringEnum<const T extends readonly string[]> (values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: 'StringEnum', type: 'string', enum: [...values] })
}

export const Owner = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$',
  description: 'Repository owner: a user or organization login, e.g. "octo-org".',
})
export const Repo = Type.String({
  pattern: '^(?!\\.\\.?$)[A-Za-z0-9._-]{1,100}$',
  description: 'Repository name without the owner, e.g. "widgets".',
})
export const IssueNumber = Type.Integer({
  minimum: 1, maximum: 2_147_483_647, description: 'Issue number as shown on GitHub (#123 → 123).',
})
export const Login = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$', description: 'A GitHub user login.' })
export const Title = Type.String({ minLength: 1, maxLength: 256, pattern: '\\S', description: 'Issue title (1–256 characters).' })
export const LabelName = Type.String({ minLength: 1, maxLength: 50, pattern: '\\S', description: 'Label name (1–50 characters).' })
export const Assignees = Type.Array(Login, {
  maxItems: 10, uniqueItems: true, description: 'Logins to assign (at most 10; GitHub ignores users without access).',
})
export const IssueBody = Type.String({ maxLength: 65_536, description: 'Markdown body (at most 65,536 characters).' })
export const IssueState = StringEnum(['open', 'closed', 'all'], { default: 'open', description: 'Which issues to list.' })
export const Page = Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Page number, starting at 1.' })
export const PerPage = Type.Integer({ minimum: 1, maximum: 100, default: 30, description: 'Items per page (1–100).' })

/** The arguments every repository-scoped tool starts with. */
export const RepoArgs = { owner: Owner, repo: Repo }

/** Tool inputs refuse unknown properties, so a misspelt argument is reported, not ignored. */
export const STRICT = { additionalProperties: false } as const
