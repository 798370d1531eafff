// Browser mode's public face, for the CLI's `serve` verb and the tests.
export { startServer, type RunningServer, type StartServerOptions } from './server'
export { ensureRendererBuilt, rendererOutDir } from './renderer-build'
