// GitHub's page-based pagination: per_page (default 30, capped at 100), page (1-based), and a Link
// header that keeps every other query parameter, in order prev, next, last, first.

export interface Paging { page: number; perPage: number }

export function parsePaging(q: URLSearchParams): Paging {
  const per = Number.parseInt(q.get('per_page') ?? '', 10)
  const page = Number.parseInt(q.get('page') ?? '', 10)
  return {
    perPage: Number.isFinite(per) && per > 0 ? Math.min(per, 100) : 30,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  }
}

export function pageOf<T>(items: readonly T[], p: Paging): T[] {
  const start = (p.page - 1) * p.perPage
  return items.slice(start, start + p.perPage)
}

/**
 * The Link header for `total` items, or undefined when everything fits on one page (GitHub then
 * omits it). `base` is the stand-in URL plus path; `q` the request's own query.
 */
export function linkHeader(base: string, q: URLSearchParams, p: Paging, total: number): string | undefined {
  const last = Math.max(1, Math.ceil(total / p.perPage))
  if (last === 1 && p.page === 1) return undefined
  const at = (page: number): string => {
    const params = new URLSearchParams(q)
    params.set('page', String(page))
    return `<${base}?${params.toString()}>`
  }
  const parts: string[] = []
  if (p.page > 1) parts.push(`${at(Math.min(p.page - 1, last))}; rel="prev"`)
  if (p.page < last) parts.push(`${at(p.page + 1)}; rel="next"`, `${at(last)}; rel="last"`)
  if (p.page > 1) parts.push(`${at(1)}; rel="first"`)
  return parts.join(', ')
}
