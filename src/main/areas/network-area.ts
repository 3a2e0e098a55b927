import type { Area, AreaDeps } from '../area';

/** Wires the network area into the app. Not built yet: no handlers, no service. */
export function createNetworkArea(_deps: AreaDeps): Area<Record<never, never>> {
  return { handlers: {}, service: undefined };
}
