import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { resourcesDir } from './paths'

let cached: string | undefined

/** The workbench's version, from package.json beside resources/. */
export function workbenchVersion(): string {
  if (cached === undefined) {
    const pkg = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(resourcesDir(), '..', 'package.json'), 'utf8')))
    cached = pkg.version
  }
  return cached
}
