// The update topics of the issue:// resources. A subscription to a resource listens on its topics
// (resources.ts); a webhook event names the topics it changes (events.ts). Both sides build them
// here, lower-cased, since GitHub names are case-insensitive and a client may spell them either way.

const repoOf = (owner: string, repo: string) => `${owner}/${repo}`.toLowerCase()

/** Every subscription in a repository listens here: for changes no narrower topic names (a label renamed). */
export const repoTopic = (owner: string, repo: string) => `repo:${repoOf(owner, repo)}`
export const issueTopic = (owner: string, repo: string, n: number) => `issue://${repoOf(owner, repo)}/${n}`
export const commentsTopic = (owner: string, repo: string, n: number) => `issue://${repoOf(owner, repo)}/${n}/comments`
export const openTopic = (owner: string, repo: string) => `issue://${repoOf(owner, repo)}/open`
