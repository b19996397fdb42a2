// Child process: the gateway through its real entry (src/server.ts `start`: config validation,
// logger, listen, signal handling), configured by the runner's environment, plus the bench's probe.
import { freePort, serveProbe } from './probe.js'
import { start } from '../../src/server.js'

process.env.PORT = String(await freePort())
process.env.HOST = '127.0.0.1'
const app = await start(process.env)
serveProbe(`http://127.0.0.1:${app.config.PORT}`, () => app.sessions.size)
