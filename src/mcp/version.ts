// The gateway's version, read from package.json once (tsc copies the file next to dist/src).
import pkg from '../../package.json' with { type: 'json' }

export const NAME: string = pkg.name
export const VERSION: string = pkg.version
