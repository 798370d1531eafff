// What the app does when one of its frames tries to navigate: the main frame may move within the app's own
// page (hash routes), links to the web open in the system browser, and subframes may go nowhere at all (the
// app has no iframes, so a subframe navigating is content that got in where it should not).

/** A navigation attempt, as Electron's will-frame-navigate / will-navigate events describe it. */
export interface NavigationAttempt {
  url: string
  isMainFrame: boolean
}

/** What to do with it. */
export type NavigationDecision = 'allow' | 'refuse' | 'open-externally'

/** Decides a navigation: own page in the main frame only; http(s) elsewhere goes to the system browser. */
export function decideNavigation(attempt: NavigationAttempt, isOwnPage: (url: string) => boolean): NavigationDecision {
  if (!attempt.isMainFrame) return 'refuse'
  if (isOwnPage(attempt.url)) return 'allow'
  return isWebLink(attempt.url) ? 'open-externally' : 'refuse'
}

/** True for http: and https: URLs, the only ones handed to the system browser. */
export function isWebLink(href: string): boolean {
  try {
    const { protocol } = new URL(href)
    return protocol === 'https:' || protocol === 'http:'
  } catch {
    return false
  }
}
