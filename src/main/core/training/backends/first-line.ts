/** The first line of an error's message: native load errors carry long dlopen traces, GPU errors long logs. */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  return text.split('\n')[0] ?? text
}
