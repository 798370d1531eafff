// The subset of electron-builder's file patterns package.json uses (`**`, `*`, `{a,b}`, `!(a)` for "any name but",
// a leading `!`, the ${platform} macro), turned into regular expressions, so a unit test can show what `npm run
// dist` would put into the app and what it unpacks from the asar without running electron-builder.

/** A regular expression for one glob over '/'-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*' && glob[i + 1] === '*') {
      // "**/" matches any number of folders (none included); a trailing "**" anything below.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?'
        i += 2
      } else {
        source += '.*'
        i += 1
      }
    } else if (c === '!' && glob[i + 1] === '(') {
      // "!(a|b)": one path segment that is none of the alternatives.
      const end = glob.indexOf(')', i)
      if (end < 0) throw new Error(`unclosed !( in ${glob}`)
      const alternatives = glob.slice(i + 2, end).split('|').map(escape).join('|')
      source += `(?!(?:${alternatives})(?:/|$))[^/]*`
      i = end
    } else if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else if (c === '{') {
      const end = glob.indexOf('}', i)
      if (end < 0) throw new Error(`unclosed { in ${glob}`)
      source += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`
      i = end
    } else source += escape(c)
  }
  return new RegExp(`^${source}$`)
}

function escape(text: string): string {
  return text.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')
}

/** Replaces electron-builder's ${platform} macro (darwin, linux, win32) in a pattern. */
export function expandMacros(pattern: string, platform: NodeJS.Platform): string {
  return pattern.replaceAll('${platform}', platform)
}

/** True when `path` is selected by `patterns`: the last pattern that matches decides, a `!` one excludes. */
export function selectedBy(path: string, patterns: readonly string[]): boolean {
  let selected = false
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!')
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(path)) selected = !negated
  }
  return selected
}
