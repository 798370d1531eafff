#!/usr/bin/env node
// The `workbench` command. The CLI is TypeScript run through tsx, so `npx workbench` works right after
// `npm ci` with no build step; tsx compiles each file once and caches it.
import { register } from 'tsx/esm/api'

register()
// `workbench info x --json | head` closes the pipe early; that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
}
const { main } = await import('./main.ts')
const code = await main(process.argv.slice(2))
// main's code is the exit code (0 done, 1 error or failed trials, 2 usage, 130 interrupted); a non-zero
// process.exitCode set on the way (Ctrl+C) is kept when main returns 0.
process.exitCode = code !== 0 ? code : (process.exitCode ?? 0)
