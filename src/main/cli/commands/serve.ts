import { InvalidArgumentError, type Command } from 'commander'
import { openWorkbench } from '../../app/open-workbench'
import { orphanSweepLine } from '../../core/workspace/orphans'
import { ensureRendererBuilt, startServer } from '../../server'
import { globalOptions } from './context'
import type { CliIo } from '../output'

function parsePort(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is an integer from 0 (any free port) to 65535')
  return n
}

/** `workbench serve [--port P]`: browser mode on loopback, with a random token in the printed URL. */
export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve the workbench UI and API on loopback (browser mode); the printed URL carries the access token')
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 0)
    .action(async (options: { port: number }, command: Command) => {
      const global = globalOptions(command)
      const ctx = openWorkbench({ dbPath: global.db, workspace: global.workspace, transport: 'http', registerSample: global.sample })
      const freed = orphanSweepLine(ctx.orphans, ctx.workspace)
      if (freed) io.err(`workbench: ${freed}`)
      let server: Awaited<ReturnType<typeof startServer>> | undefined
      try {
        const rendererDir = await ensureRendererBuilt()
        server = await startServer({ handlers: ctx.handlers, events: ctx.events, rendererDir, port: options.port })
      } catch (err) {
        ctx.close()
        throw err
      }
      const running = server
      if (global.json) io.out(JSON.stringify({ url: running.url, token: running.token, port: running.port }))
      else io.out(`Workbench serving at ${running.url}`)
      // Serve until interrupted, then close the server and the store cleanly.
      await new Promise<void>((resolveStop) => {
        const stop = (): void => {
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          void running.close().finally(() => {
            ctx.close()
            resolveStop()
          })
        }
        process.on('SIGINT', stop)
        process.on('SIGTERM', stop)
      })
    })
}
