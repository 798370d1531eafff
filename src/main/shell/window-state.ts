// Where the main window was: saved as a small JSON file on close, read back on start and fitted onto a display
// that still exists (a monitor may have been unplugged since). Pure functions plus two tiny file helpers; no
// Electron import, so all of it is tested in plain Node.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'

/** A rectangle in screen coordinates (Electron's Rectangle has the same shape). */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** What is remembered: the window's normal (not maximised) bounds and whether it was maximised. */
export interface WindowState {
  bounds: Rect
  maximized: boolean
}

/** The smallest size the window may have (the BrowserWindow's minWidth / minHeight). */
export interface MinimumSize {
  minWidth: number
  minHeight: number
}

const finite = z.number().finite()
const WindowStateSchema = z.object({
  bounds: z.object({ x: finite, y: finite, width: finite.positive(), height: finite.positive() }),
  maximized: z.boolean().default(false),
})

/** Parses the state file's text; undefined for anything that is not a well-formed state (the window then opens at its defaults). */
export function parseWindowState(text: string): WindowState | undefined {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  const parsed = WindowStateSchema.safeParse(json)
  if (!parsed.success) return undefined
  const { bounds, maximized } = parsed.data
  // Screen coordinates are whole pixels; a hand-edited file may hold fractions.
  return {
    bounds: { x: Math.round(bounds.x), y: Math.round(bounds.y), width: Math.round(bounds.width), height: Math.round(bounds.height) },
    maximized,
  }
}

/** The text written to the state file. */
export function serializeWindowState(state: WindowState): string {
  return `${JSON.stringify(state, null, 2)}\n`
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high)
}

/**
 * Fits remembered bounds onto the displays' work areas: the display the window overlaps most keeps it (the
 * first one, the primary, when it overlaps none); the size shrinks to that work area, never below the minimum
 * size unless the work area itself is smaller; the position moves so the whole window is on that display.
 * Undefined when there are no displays (Electron then centres the window at its default size).
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[], minimum: MinimumSize): WindowState | undefined {
  let area: Rect | undefined
  let best = 0
  for (const candidate of workAreas) {
    const overlap = overlapArea(state.bounds, candidate)
    if (overlap > best) [area, best] = [candidate, overlap]
  }
  area ??= workAreas[0]
  if (!area) return undefined
  const width = Math.min(Math.max(state.bounds.width, minimum.minWidth), area.width)
  const height = Math.min(Math.max(state.bounds.height, minimum.minHeight), area.height)
  const onScreen = best > 0
  const x = onScreen ? clamp(state.bounds.x, area.x, area.x + area.width - width) : area.x + Math.floor((area.width - width) / 2)
  const y = onScreen ? clamp(state.bounds.y, area.y, area.y + area.height - height) : area.y + Math.floor((area.height - height) / 2)
  return { bounds: { x, y, width, height }, maximized: state.maximized }
}

/** Reads the state file; undefined when it is missing, unreadable or malformed (never throws: a bad file must not stop the app). */
export function readWindowState(file: string): WindowState | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  return parseWindowState(text)
}

/** Writes the state file through a temporary file and a rename, so a crash mid-write leaves the old file whole. */
export function writeWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true })
  const temporary = `${file}.tmp`
  writeFileSync(temporary, serializeWindowState(state))
  renameSync(temporary, file)
}
