import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { collectNotices, renderNotices } from './third-party-notices'

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { license: string; dependencies: Record<string, string> }

describe('third-party notices', () => {
  it('lists every installed production package with its license, Electron included, and no dev tools', () => {
    const entries = collectNotices(repoRoot)
    const names = new Set(entries.map((e) => e.name))
    for (const dep of Object.keys(pkg.dependencies)) expect(names.has(dep), dep).toBe(true)
    expect(names.has('electron')).toBe(true)
    expect(names.has('vitest')).toBe(false)
    expect(names.has('electron-builder')).toBe(false)
    expect(entries.find((e) => e.name === 'better-sqlite3')).toMatchObject({ license: 'MIT', text: expect.stringContaining('MIT') })
  })

  it('renders a table and each license text once', () => {
    const text = renderNotices([
      { name: 'a', version: '1.0.0', license: 'MIT', text: 'MIT text' },
      { name: 'b', version: '2.0.0', license: 'MIT', text: 'MIT text' },
      { name: 'c', version: '3.0.0', license: 'ISC' },
    ])
    expect(text).toContain('| a | 1.0.0 | MIT |')
    expect(text).toContain('### a@1.0.0, b@2.0.0')
    expect(text.match(/MIT text/g)).toHaveLength(1)
  })

  it('ships a current THIRD_PARTY_NOTICES.md (run `npm run notices` after adding a dependency)', () => {
    const notices = readFileSync(join(repoRoot, 'THIRD_PARTY_NOTICES.md'), 'utf8')
    for (const dep of Object.keys(pkg.dependencies)) expect(notices, dep).toContain(`| ${dep} |`)
  })

  it('licenses the code Apache-2.0 and keeps the sample data CC BY-SA 4.0 apart', () => {
    expect(pkg.license).toBe('Apache-2.0')
    expect(readFileSync(join(repoRoot, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/)
    expect(readFileSync(join(repoRoot, 'resources', 'sample-data', 'README.md'), 'utf8')).toContain('CC BY-SA 4.0')
  })
})
