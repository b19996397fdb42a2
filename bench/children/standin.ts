// Child process: the GitHub stand-in for the bench, with its real-shaped quotas lifted (the bench
// sends far more than GitHub's 5,000 requests an hour; a 403 mid-run would be a bench error).
import { startGitHubStandin } from '../../sandbox/github-standin.js'

const github = await startGitHubStandin({ host: '127.0.0.1' })
github.setRateLimit(1_000_000_000)
github.setSearchRateLimit(1_000_000_000)
process.on('disconnect', () => { void github.close().then(() => process.exit(0)) })
process.send?.({ type: 'ready', url: github.url })
