import type { Area, AreaDeps } from '../area';

/** Wires the edge area into the app. Not built yet: no handlers, no service. */
export function createEdgeArea(_deps: AreaDeps): Area<Record<never, never>> {
  return { handlers: {}, service: undefined };
}
