import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fitToDisplays, parseWindowState, readWindowState, serializeWindowState, writeWindowState, type Rect } from './window-state'

const minimum = { minWidth: 800, minHeight: 500 }
const primary: Rect = { x: 0, y: 0, width: 1920, height: 1040 }
/** A second monitor to the right of the primary one. */
const right: Rect = { x: 1920, y: 0, width: 1280, height: 1000 }

describe('parseWindowState', () => {
  it('reads what serializeWindowState wrote', () => {
    const state = { bounds: { x: 10, y: -20, width: 1200, height: 700 }, maximized: true }
    expect(parseWindowState(serializeWindowState(state))).toEqual(state)
  })

  it('rejects text that is not JSON, and JSON of the wrong shape', () => {
    expect(parseWindowState('')).toBeUndefined()
    expect(parseWindowState('{"bounds": ')).toBeUndefined()
    expect(parseWindowState('null')).toBeUndefined()
    expect(parseWindowState('[1,2,3,4]')).toBeUndefined()
    expect(parseWindowState('{"bounds": {"x": 0, "y": 0, "width": "wide", "height": 600}}')).toBeUndefined()
    expect(parseWindowState('{"bounds": {"x": 0, "y": 0, "width": 0, "height": 600}}')).toBeUndefined()
    expect(parseWindowState('{"bounds": {"x": 0, "y": 0, "width": -5, "height": 600}}')).toBeUndefined()
    expect(parseWindowState('{"bounds": {"x": 0, "y": 0, "width": 900}}')).toBeUndefined()
    expect(parseWindowState('{"bounds": {"x": 0, "y": 0, "width": 900, "height": 600}, "maximized": "yes"}')).toBeUndefined()
    // JSON cannot hold Infinity, but 1e999 parses to it.
    expect(parseWindowState('{"bounds": {"x": 1e999, "y": 0, "width": 900, "height": 600}}')).toBeUndefined()
  })

  it('defaults maximized to false and rounds fractional pixels', () => {
    expect(parseWindowState('{"bounds": {"x": 10.4, "y": 20.6, "width": 900.5, "height": 600}}')).toEqual({
      bounds: { x: 10, y: 21, width: 901, height: 600 },
      maximized: false,
    })
  })
})

describe('fitToDisplays', () => {
  it('keeps a window that lies wholly on a display as it was', () => {
    const state = { bounds: { x: 100, y: 50, width: 1280, height: 820 }, maximized: false }
    expect(fitToDisplays(state, [primary, right], minimum)).toEqual(state)
    const onRight = { bounds: { x: 2000, y: 100, width: 1000, height: 800 }, maximized: true }
    expect(fitToDisplays(onRight, [primary, right], minimum)).toEqual(onRight)
  })

  it('pulls a window that hangs over an edge back onto the display it overlaps most', () => {
    // 1700..2900 overlaps the primary by 220 px and the right display by 980 px: it goes right, flush with its left edge.
    const state = { bounds: { x: 1700, y: -30, width: 1200, height: 700 }, maximized: false }
    expect(fitToDisplays(state, [primary, right], minimum)?.bounds).toEqual({ x: 1920, y: 0, width: 1200, height: 700 })
    // Off the bottom right of the primary only.
    const low = { bounds: { x: 1000, y: 900, width: 1000, height: 600 }, maximized: false }
    expect(fitToDisplays(low, [primary], minimum)?.bounds).toEqual({ x: 920, y: 440, width: 1000, height: 600 })
  })

  it('centres a window whose display is gone on the primary display', () => {
    const state = { bounds: { x: 5000, y: 300, width: 1000, height: 600 }, maximized: true }
    expect(fitToDisplays(state, [primary], minimum)).toEqual({ bounds: { x: 460, y: 220, width: 1000, height: 600 }, maximized: true })
  })

  it('shrinks a window larger than the display, and grows one below the minimum size', () => {
    const huge = { bounds: { x: 0, y: 0, width: 4000, height: 3000 }, maximized: false }
    expect(fitToDisplays(huge, [primary], minimum)?.bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 })
    const tiny = { bounds: { x: 1900, y: 1000, width: 50, height: 30 }, maximized: false }
    expect(fitToDisplays(tiny, [primary], minimum)?.bounds).toEqual({ x: 1120, y: 540, width: 800, height: 500 })
    // A display smaller than the minimum size still bounds the window.
    const small: Rect = { x: 0, y: 0, width: 640, height: 480 }
    expect(fitToDisplays(tiny, [small], minimum)?.bounds).toEqual({ x: 0, y: 0, width: 640, height: 480 })
  })

  it('handles displays at negative coordinates (a monitor left of the primary)', () => {
    const left: Rect = { x: -1280, y: 0, width: 1280, height: 1000 }
    const state = { bounds: { x: -1500, y: 100, width: 1000, height: 600 }, maximized: false }
    expect(fitToDisplays(state, [primary, left], minimum)?.bounds).toEqual({ x: -1280, y: 100, width: 1000, height: 600 })
  })

  it('gives undefined when there is no display', () => {
    expect(fitToDisplays({ bounds: { x: 0, y: 0, width: 900, height: 600 }, maximized: false }, [], minimum)).toBeUndefined()
  })
})

describe('the state file', () => {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('round-trips through a file, creating its folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-window-state-'))
    const file = join(dir, 'nested', 'window-state.json')
    const state = { bounds: { x: -10, y: 20, width: 1000, height: 640 }, maximized: false }
    writeWindowState(file, state)
    expect(readWindowState(file)).toEqual(state)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(state)
  })

  it('reads a missing or corrupt file as no state, without throwing', () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-window-state-'))
    expect(readWindowState(join(dir, 'absent.json'))).toBeUndefined()
    const file = join(dir, 'window-state.json')
    writeFileSync(file, '{"bounds": {"x": 0, "y"')
    expect(readWindowState(file)).toBeUndefined()
    // A folder where the file should be.
    expect(readWindowState(dir)).toBeUndefined()
  })
})
