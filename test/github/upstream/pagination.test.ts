import t from 'tap'
import { pageLabel, pagesFrom } from '../../../src/github/upstream/pagination.js'

const u = (page: number) => `<https://api.github.com/repositories/1/issues?state=all&per_page=10&page=${page}>`

t.test('page X of Y from GitHub Link headers', async (t) => {
  t.same(pagesFrom(`${u(2)}; rel="next", ${u(5)}; rel="last"`, 1), { page: 1, total_pages: 5, has_next: true })
  t.same(pagesFrom(`${u(2)}; rel="prev", ${u(4)}; rel="next", ${u(5)}; rel="last", ${u(1)}; rel="first"`, 3),
    { page: 3, total_pages: 5, has_next: true })
  t.same(pagesFrom(`${u(4)}; rel="prev", ${u(1)}; rel="first"`, 5), { page: 5, total_pages: 5, has_next: false }, 'the last page has no rel="last"')
  t.same(pagesFrom(`${u(5)}; rel="prev", ${u(1)}; rel="first"`, 9), { page: 9, total_pages: 5, has_next: false }, 'beyond the end')
  t.same(pagesFrom(undefined, 1), { page: 1, total_pages: 1, has_next: false }, 'no Link: everything fit on one page')
  t.same(pagesFrom(undefined, 3), { page: 3, total_pages: null, has_next: false })
})

t.test('labels', async (t) => {
  t.equal(pageLabel({ page: 2, total_pages: 7, has_next: true }), 'page 2 of 7')
  t.equal(pageLabel({ page: 2, total_pages: null, has_next: false }), 'page 2')
})
