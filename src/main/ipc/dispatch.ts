// The one place a raw call becomes a handler call: shared by Electron IPC (register.ts) and the browser-mode
// HTTP server, so both doors validate and report errors the same way. No Electron import here.
import { apiChannels, type ApiChannel, type ApiError, type ApiHandlers, type ApiInput, type ApiOutput } from '../../shared/api'
import { isInputError, issueProblem } from '../../shared/errors'

/** Why a call failed: bad payload (the caller's bug), InputError (the user's input), or anything else. */
export type DispatchFailure = 'bad-input' | 'input-error' | 'internal'

export type DispatchOutcome<C extends ApiChannel> =
  | { ok: true; value: ApiOutput<C> }
  | { ok: false; kind: DispatchFailure; error: ApiError }

/** Parses a raw payload with the channel's input schema. */
export function parseInput<C extends ApiChannel>(
  channel: C,
  raw: unknown,
): { ok: true; input: ApiInput<C> } | { ok: false; error: ApiError } {
  const result = apiChannels[channel].input.safeParse(raw)
  if (!result.success) {
    // Unknown keys first and by name: a misspelt key often explains the other problems.
    const problem = [...result.error.issues]
      .sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'))
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issueProblem(issue)}` : issueProblem(issue)))
      .join('; ')
    return { ok: false, error: { error: `invalid input for ${channel}: ${problem}`, source: channel, problem } }
  }
  // The schemas' parsed output is what the handlers are typed to take (ApiInput is the schema's input side,
  // which the parsed value satisfies); the generic index loses that link, so state it once here.
  return { ok: true, input: result.data as ApiInput<C> }
}

/** Turns a thrown value into the ApiError the UI shows, and says which kind of failure it was. */
export function toApiError(err: unknown): { kind: DispatchFailure; error: ApiError } {
  if (isInputError(err)) {
    return { kind: 'input-error', error: { error: err.message, source: err.source, problem: err.problem } }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { kind: 'internal', error: { error: message || 'unexpected error' } }
}

/** Validates `raw` for `channel`, runs its handler, and returns the value or the problem — never throws. */
export async function dispatch<C extends ApiChannel>(
  handlers: ApiHandlers,
  channel: C,
  raw: unknown,
): Promise<DispatchOutcome<C>> {
  const parsed = parseInput(channel, raw)
  if (!parsed.ok) return { ok: false, kind: 'bad-input', error: parsed.error }
  try {
    const handler: (input: ApiInput<C>) => Promise<ApiOutput<C>> = handlers[channel]
    return { ok: true, value: await handler(parsed.input) }
  } catch (err) {
    return { ok: false, ...toApiError(err) }
  }
}
