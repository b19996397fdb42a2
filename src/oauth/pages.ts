// The two pages a person sees from the gateway itself: the consent page (which client, which
// scopes, then on to GitHub) and an error page. Whatever a client registered (its name, its URI)
// is untrusted text: escaped, and labelled as the client's own claim.
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}' +
  'button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}code{background:#f3f3f3;padding:0 .2rem}'

function page (title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escape(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`
}

export interface ConsentView {
  uid: string
  clientName: string | undefined
  clientId: string
  redirectUri: string
  scopes: readonly string[]
  /** The host of the client's metadata document, when its client_id is that document's URL. */
  documentHost?: string
}

const isLoopback = (host: string) => host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\./.test(host)

/**
 * What the MCP authorization spec asks of a consent page for a client known by its metadata
 * document: the document's host, and a warning when the client returns to this computer, where
 * any program can present a well-known client's document URL as its own client_id.
 */
function documentNotice (v: ConsentView, who: string, redirect: URL): string {
  if (v.documentHost === undefined) return ''
  const notice = `<p>Its name and return address come from a document published at <code>${escape(v.documentHost)}</code>.</p>`
  if (!isLoopback(redirect.hostname)) return notice
  return notice + `<p><strong>It returns to a program on this computer</strong> (<code>${escape(redirect.host)}</code>): any program here can present ${who}'s document, so the name alone does not show which program is asking. Continue only if you started this sign-in yourself just now.</p>`
}

const SCOPE_WORDS: Record<string, string> = {
  'issues:read': 'read issues, comments and labels you can see on GitHub',
  'issues:write': 'create and change issues, comments and labels as you',
}

export function consentPage (v: ConsentView): string {
  const who = v.clientName === undefined ? `<code>${escape(v.clientId)}</code>` : `“${escape(v.clientName)}”`
  const scopes = v.scopes.map((s) => `<li><code>${escape(s)}</code>: ${escape(SCOPE_WORDS[s] ?? s)}</li>`).join('')
  const redirect = new URL(v.redirectUri)
  return page('Allow access to GitHub issues?', `<h1>Allow ${who} to use GitHub issues as you?</h1>
<p>An MCP client calling itself ${who} (client id <code>${escape(v.clientId)}</code>) asks to act through this gateway with your GitHub account. It may:</p>
<ul>${scopes}</ul>
${documentNotice(v, who, redirect)}<p>After you sign in with GitHub you will be sent back to <code>${escape(redirect.origin + redirect.pathname)}</code>. Continue only if you started this from that client.</p>
<form method="post" action="/oauth/interaction/${escape(v.uid)}/github"><button type="submit" name="decision" value="allow">Continue with GitHub</button></form>
<form method="post" action="/oauth/interaction/${escape(v.uid)}/deny"><button type="submit" name="decision" value="deny">Cancel</button></form>`)
}

export function errorPage (error: string, description: string): string {
  return page('Sign-in failed', `<h1>Sign-in failed</h1><p><code>${escape(error)}</code></p><p>${escape(description)}</p>`)
}
