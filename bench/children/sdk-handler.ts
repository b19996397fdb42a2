// Child process: variant B of the handler experiment, the gateway served by the SDK's
// createMcpHandler (bench/sdk-handler/app.ts), configured from the environment as the gateway is.
// It keeps no sessions, so the probe reports none.
import { buildSdkHandlerApp } from '../sdk-handler/app.js'
import { serveProbe } from './probe.js'

const app = await buildSdkHandlerApp({ env: process.env, logger: { level: process.env.LOG_LEVEL ?? 'warn' } })
const url = await app.listen({ port: 0, host: '127.0.0.1' })
serveProbe(url, () => 0)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
