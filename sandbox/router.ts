// The route table: method + path template -> handler, and which quota bucket the route draws on.
// A path that matches no row (or a known path with another method) is GitHub's plain 404.
import type { Handler } from './http-kit.js'
import { createComment, listComments } from './routes-comments.js'
import { createIssue, getIssue, listIssues, updateIssue } from './routes-issues.js'
import { addIssueLabels, listIssueLabels, listRepoLabels, setIssueLabels } from './routes-labels.js'
import {
  getRateLimit, getRepo, getViewer, listOrgRepos, listUserRepos, listViewerRepos, searchIssues,
} from './routes-misc.js'

// core and search are separate quotas on GitHub; /rate_limit itself costs nothing.
export type Bucket = 'core' | 'search' | 'free'

interface Route { method: string; template: string; pattern: RegExp; handler: Handler; bucket: Bucket }

function route(method: string, template: string, handler: Handler, bucket: Bucket = 'core'): Route {
  const pattern = new RegExp(`^${template.replace(/:\w+/g, '([^/]+)')}/?$`)
  return { method, template, pattern, handler, bucket }
}

const ROUTES: Route[] = [
  route('GET', '/repos/:owner/:repo', getRepo),
  route('GET', '/repos/:owner/:repo/issues', listIssues),
  route('POST', '/repos/:owner/:repo/issues', createIssue),
  route('GET', '/repos/:owner/:repo/issues/:number', getIssue),
  route('PATCH', '/repos/:owner/:repo/issues/:number', updateIssue),
  route('GET', '/repos/:owner/:repo/issues/:number/labels', listIssueLabels),
  route('POST', '/repos/:owner/:repo/issues/:number/labels', addIssueLabels),
  route('PUT', '/repos/:owner/:repo/issues/:number/labels', setIssueLabels),
  route('GET', '/repos/:owner/:repo/issues/:number/comments', listComments),
  route('POST', '/repos/:owner/:repo/issues/:number/comments', createComment),
  route('GET', '/repos/:owner/:repo/labels', listRepoLabels),
  route('GET', '/search/issues', searchIssues, 'search'),
  route('GET', '/user', getViewer),
  route('GET', '/user/repos', listViewerRepos),
  route('GET', '/orgs/:org/repos', listOrgRepos),
  route('GET', '/users/:user/repos', listUserRepos),
  route('GET', '/rate_limit', getRateLimit, 'free'),
]

export interface Match {
  handler: Handler; params: string[]; bucket: Bucket
  /** The route as GitHub's docs name it, e.g. `GET /repos/:owner/:repo/issues/:number`. */
  route: string
}

/** HEAD is answered like GET (Node drops the body). Undefined means 404. */
export function matchRoute(method: string, path: string): Match | undefined {
  const m = method === 'HEAD' ? 'GET' : method
  for (const r of ROUTES) {
    if (r.method !== m) continue
    const hit = r.pattern.exec(path)
    if (!hit) continue
    try {
      return { handler: r.handler, params: hit.slice(1).map(decodeURIComponent), bucket: r.bucket, route: `${r.method} ${r.template}` }
    } catch {
      return undefined // malformed percent-encoding: no such resource
    }
  }
  return undefined
}
