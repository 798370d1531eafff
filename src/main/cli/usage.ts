import type { Command } from 'commander'

/**
 * The verb a command line names (`workbench sweep run`), found by walking argv through the command tree, so a
 * usage error can point at the help that answers it. Option values are skipped: `--db runs` names no verb.
 */
export function verbPath(program: Command, argv: readonly string[]): string {
  const names = [program.name()]
  let command = program
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string
    if (token === '--') break
    if (token.startsWith('-')) {
      const option = [command, ...ancestors(command)].flatMap((c) => c.options).find((o) => o.long === token || o.short === token)
      if (option && (option.required || option.optional) && !token.includes('=')) i++
      continue
    }
    const sub = command.commands.find((c) => c.name() === token || c.aliases().includes(token))
    if (!sub) break
    names.push(sub.name())
    command = sub
  }
  return names.join(' ')
}

function ancestors(command: Command): Command[] {
  const list: Command[] = []
  for (let c = command.parent; c; c = c.parent) list.push(c)
  return list
}

/**
 * One line for a usage error: what is wrong and where the help is. Commander's messages start with "error: "
 * and may add a "Did you mean" line; the whole help is not printed, it would bury the one line that matters.
 */
export function usageLine(message: string, verb: string): string {
  const what = message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()
  return `workbench: ${what}; see \`${verb} --help\``
}
