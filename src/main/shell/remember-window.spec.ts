import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { initialWindowPlacement } from './remember-window'
import { writeWindowState } from './window-state'

const defaults = { width: 1280, height: 820, minWidth: 800, minHeight: 500 }
const display = { x: 0, y: 0, width: 1920, height: 1040 }

describe('initialWindowPlacement', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('uses the defaults, unplaced, without a state file or with a corrupt one', () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-window-place-'))
    const file = join(dir, 'window-state.json')
    expect(initialWindowPlacement(file, [display], defaults)).toEqual({ width: 1280, height: 820, maximized: false })
    writeFileSync(file, 'not json')
    expect(initialWindowPlacement(file, [display], defaults)).toEqual({ width: 1280, height: 820, maximized: false })
  })

  it('restores the saved state fitted to the displays', () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-window-place-'))
    const file = join(dir, 'window-state.json')
    writeWindowState(file, { bounds: { x: 1500, y: 100, width: 1000, height: 700 }, maximized: true })
    expect(initialWindowPlacement(file, [display], defaults)).toEqual({ x: 920, y: 100, width: 1000, height: 700, maximized: true })
    // With no display known, the defaults.
    expect(initialWindowPlacement(file, [], defaults)).toEqual({ width: 1280, height: 820, maximized: false })
  })
})
