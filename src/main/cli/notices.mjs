#!/usr/bin/env node
// `npm run notices`: rewrites THIRD_PARTY_NOTICES.md from package-lock.json and the installed packages.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
register()
const { writeThirdPartyNotices } = await import('../desktop/third-party-notices.ts')
console.log(`workbench: THIRD_PARTY_NOTICES.md lists ${writeThirdPartyNotices(repoRoot)} packages`)
