import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { aboutDetail, buildMenuTemplate, type MenuOptions } from './menu'

function submenuOf(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const menu = template.find((item) => item.label === label)
  if (!menu || !Array.isArray(menu.submenu)) throw new Error(`no ${label} menu`)
  return menu.submenu
}

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => (item.role ? [item.role] : []))
}

const base: MenuOptions = { appName: 'Workbench', isMac: false, isDev: false }

describe('buildMenuTemplate', () => {
  it('has File, Edit, View and Help, and the File items call their actions', () => {
    const actions = { importDataset: vi.fn(), showAbout: vi.fn() }
    const template = buildMenuTemplate(base, actions)
    expect(template.map((item) => item.label)).toEqual(['File', 'Edit', 'View', 'Help'])
    const file = submenuOf(template, 'File')
    const importItem = file.find((item) => item.label === 'Import dataset…')
    importItem?.click?.({} as never, undefined, {} as never)
    expect(actions.importDataset).toHaveBeenCalledTimes(1)
    expect(roles(file)).toContain('quit')
    const about = submenuOf(template, 'Help').find((item) => item.label === 'About Workbench')
    about?.click?.({} as never, undefined, {} as never)
    expect(actions.showAbout).toHaveBeenCalledTimes(1)
    expect(actions.importDataset).toHaveBeenCalledTimes(1)
  })

  it('offers reload and developer tools only in development', () => {
    const actions = { importDataset: () => undefined, showAbout: () => undefined }
    const production = roles(submenuOf(buildMenuTemplate(base, actions), 'View'))
    expect(production).not.toContain('reload')
    expect(production).not.toContain('forceReload')
    expect(production).not.toContain('toggleDevTools')
    const development = roles(submenuOf(buildMenuTemplate({ ...base, isDev: true }, actions), 'View'))
    expect(development).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']))
  })

  it('puts About and Quit in the app menu on macOS', () => {
    const template = buildMenuTemplate({ ...base, isMac: true }, { importDataset: () => undefined, showAbout: () => undefined })
    expect(template[0]?.label).toBe('Workbench')
    const appMenu = submenuOf(template, 'Workbench')
    expect(appMenu[0]?.label).toBe('About Workbench')
    expect(roles(appMenu)).toContain('quit')
    expect(roles(submenuOf(template, 'File'))).not.toContain('quit')
  })
})

describe('aboutDetail', () => {
  it('names the version and the runtime versions it was given', () => {
    const text = aboutDetail('1.2.3', { electron: '45.0.0', node: '22.1.0' })
    expect(text.split('\n').slice(0, 3)).toEqual(['Version 1.2.3', 'Electron 45.0.0', 'Node.js 22.1.0'])
    expect(text).not.toContain('Chromium')
  })
})
