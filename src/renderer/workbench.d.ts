// What the Electron preload adds to the page. In browser mode it is absent and api/client.ts uses HTTP.
import type { WorkbenchBridge } from '../shared/api'

declare global {
  interface Window {
    workbench?: WorkbenchBridge
  }
}

export {}
