// Constants electron.vite.config.ts writes into the preload bundle (vite `define`): the shared map's channel and
// event names, so the sandboxed preload can refuse others without bundling the schemas.

/** Every channel name of apiChannels (src/shared/api.ts). */
declare const __WORKBENCH_API_CHANNELS__: readonly string[]
/** Every event name of apiEvents (src/shared/api.ts). */
declare const __WORKBENCH_API_EVENTS__: readonly string[]
