// Schema fuzz (payload-fuzz.ts) of comments and the prompts that read GitHub.
import t from 'tap'
import { fuzz, get, prompt, recentWeek, tool, W, widgets } from './payload-fuzz.js'

t.setTimeout(240_000) // about a thousand calls, on a machine that may be busy

fuzz(t, [
  { label: 'list_issue_comments', run: tool('list_issue_comments', { ...widgets, issue_number: 1 }), reads: [get(`${W}/issues/1`), get(`${W}/issues/1/comments`)] },
  { label: 'triage-issue', run: prompt('triage-issue', { ...widgets, issue_number: '7' }), reads: [get(`${W}/issues/7`), get(`${W}/issues/7/comments`), get(`${W}/labels`)] },
  { label: 'weekly-summary', run: prompt('weekly-summary', widgets), reads: [get(`${W}/issues`)], prepare: recentWeek },
])
