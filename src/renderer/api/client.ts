// The one place the renderer's transport is picked: the Electron preload's bridge when it is there,
// else HTTP to the browser-mode server on the page's own origin. Both parse replies with the shared schemas.
import {
  ApiErrorSchema,
  apiChannels,
  type ApiChannel,
  type ApiError,
  type ApiInput,
  type ApiOutput,
  type WorkbenchApi,
  type WorkbenchBridge,
} from '../../shared/api'
import { decodeFrame } from '../../shared/binary-frame'
import { isBinaryChannel } from '../../shared/inspect'

/** A failed API call; the message is the workbench's own plain-words explanation. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError'
  /** The file, folder or name the problem is about, when the core said. */
  readonly source: string | undefined
  readonly problem: string | undefined
  /** The HTTP status in browser mode. */
  readonly status: number | undefined

  constructor(error: ApiError, status?: number) {
    super(error.error)
    this.source = error.source
    this.problem = error.problem
    this.status = status
  }
}

/** Checks a reply against the channel's output schema, so a mismatch shows up here and not deep in a view. */
function parseOutput<C extends ApiChannel>(channel: C, value: unknown): ApiOutput<C> {
  const result = apiChannels[channel].output.safeParse(value)
  if (!result.success) {
    throw new ApiCallError({ error: `the workbench sent an unexpected reply to ${channel}: ${result.error.issues[0]?.message ?? 'invalid'}` })
  }
  // The parsed value is the channel's output; the generic index loses that link, so state it once here.
  return result.data as ApiOutput<C>
}

/** Electron: calls go through the preload, which resolves to {ok, value} | {ok: false, error}. */
function ipcClient(bridge: WorkbenchBridge): WorkbenchApi {
  return {
    async invoke<C extends ApiChannel>(channel: C, input: ApiInput<C>): Promise<ApiOutput<C>> {
      const result = await bridge.invoke(channel, input)
      if (!result.ok) throw new ApiCallError(result.error)
      return parseOutput(channel, result.value)
    },
  }
}

/** Browser mode: POST /api/<channel>; the cookie set on page load carries the token, the header backs it up. */
function httpClient(token: string | null): WorkbenchApi {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers['x-workbench-token'] = token
  return {
    async invoke<C extends ApiChannel>(channel: C, input: ApiInput<C>): Promise<ApiOutput<C>> {
      let response: Response
      try {
        response = await fetch(`/api/${channel}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input),
          credentials: 'same-origin',
        })
      } catch {
        throw new ApiCallError({ error: 'cannot reach the workbench server; it may have stopped (is `workbench serve` still running?)' })
      }
      if (response.ok) {
        // Voxel layers come as a binary frame (raw bytes after a JSON head), everything else as JSON.
        return parseOutput(channel, isBinaryChannel(channel) ? decodeFrame(await response.arrayBuffer()) : await response.json())
      }
      throw new ApiCallError(await readError(response), response.status)
    },
  }
}

/** The server's explanation of a failed call: JSON {error, …} from the API, or plain text (403, 404). */
async function readError(response: Response): Promise<ApiError> {
  const text = (await response.text()).trim()
  try {
    const parsed = ApiErrorSchema.safeParse(JSON.parse(text))
    if (parsed.success) return parsed.data
  } catch {
    // not JSON: a plain message
  }
  return { error: text || `the workbench server answered ${response.status} ${response.statusText}` }
}

/** Picks the transport for this page. */
export function createApiClient(): WorkbenchApi {
  if (window.workbench) return ipcClient(window.workbench)
  return httpClient(new URLSearchParams(window.location.search).get('token'))
}

/** How this page reaches the core, for the status bar. */
export const transportName: 'ipc' | 'http' = typeof window !== 'undefined' && window.workbench ? 'ipc' : 'http'

/** The API the whole renderer uses. */
export const api: WorkbenchApi = createApiClient()
