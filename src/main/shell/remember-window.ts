// The Electron side of window-state.ts: where a new window opens, and saving where it was when it closes.
// Electron values come in as arguments (no runtime import), so this stays a thin layer over the pure functions.
import type { BrowserWindow, Rectangle } from 'electron'
import { fitToDisplays, readWindowState, writeWindowState, type MinimumSize } from './window-state'

/** Size and place for a new window: the remembered state fitted to today's displays, else the defaults. */
export function initialWindowPlacement(
  file: string,
  workAreas: readonly Rectangle[],
  defaults: { width: number; height: number } & MinimumSize,
): { width: number; height: number; x?: number; y?: number; maximized: boolean } {
  const saved = readWindowState(file)
  const fitted = saved ? fitToDisplays(saved, workAreas, defaults) : undefined
  if (!fitted) return { width: defaults.width, height: defaults.height, maximized: false }
  return { ...fitted.bounds, maximized: fitted.maximized }
}

/** Saves the window's normal bounds and maximised flag to `file` when it closes; a failed write is only logged. */
export function rememberWindowState(win: BrowserWindow, file: string): void {
  win.on('close', () => {
    try {
      // Normal bounds: a maximised window reopens maximised and un-maximises to where it was before.
      writeWindowState(file, { bounds: win.getNormalBounds(), maximized: win.isMaximized() })
    } catch (err) {
      console.error(`workbench: could not save the window state to ${file}`, err)
    }
  })
}
