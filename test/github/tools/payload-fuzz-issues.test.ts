// Schema fuzz (payload-fuzz.ts) of the issue reading tools: get_issue, both listings, search.
import t from 'tap'
import { fuzz, get, richNewest, tool, W, widgets } from './payload-fuzz.js'

t.setTimeout(240_000) // well over a thousand tool calls, on a machine that may be busy

fuzz(t, [
  { label: 'get_issue', run: tool('get_issue', { ...widgets, issue_number: 1 }), reads: [get(`${W}/issues/1`)] },
  { label: 'list_issues', run: tool('list_issues', { ...widgets, state: 'all', limit: 5 }), reads: [get(`${W}/issues`)], prepare: richNewest },
  { label: 'list_issues_paginated', run: tool('list_issues_paginated', { ...widgets, state: 'all', per_page: 5 }), reads: [get(`${W}/issues`)], prepare: richNewest },
  { label: 'search_issues', run: tool('search_issues', { query: 'crash repo:octo-org/widgets' }), reads: [get('/search/issues')] },
])
