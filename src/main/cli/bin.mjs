#!/usr/bin/env node
// The `workbench` command. The CLI is TypeScript run through tsx, so `npx workbench` works right after
// `npm ci` with no build step; tsx compiles each file once and caches it.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv.slice(2))
