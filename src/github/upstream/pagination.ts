// "page X of Y" from GitHub's Link header (rel="next", rel="last", ...).

export interface Pages {
  page: number
  total_pages: number | null
  has_next: boolean
}

function relPage (link: string, rel: string): number | null {
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part)
    if (m === null || !m[2].split(/\s+/).includes(rel)) continue
    const page = new URL(m[1]).searchParams.get('page')
    return page === null ? null : Number(page)
  }
  return null
}

export function pagesFrom (link: string | undefined, page: number): Pages {
  if (link === undefined || link === '') return { page, total_pages: page === 1 ? 1 : null, has_next: false }
  const last = relPage(link, 'last')
  const next = relPage(link, 'next')
  // GitHub omits rel="last" on the last page itself: a page with "prev" but no "next" is the last,
  // unless it lies beyond the end, where "prev" points back at the real last page.
  const prev = relPage(link, 'prev')
  const total = last ?? (next === null && prev !== null ? (prev === page - 1 ? page : prev) : null)
  return { page, total_pages: total, has_next: next !== null }
}

export function pageLabel (p: Pages): string {
  return p.total_pages === null ? `page ${p.page}` : `page ${p.page} of ${p.total_pages}`
}
