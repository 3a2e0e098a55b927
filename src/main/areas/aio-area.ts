import type { Area, AreaDeps } from '../area';

/** Wires the AIO broker area into the app. Not built yet: no handlers, no service. */
export function createAioArea(_deps: AreaDeps): Area<Record<never, never>> {
  return { handlers: {}, service: undefined };
}
