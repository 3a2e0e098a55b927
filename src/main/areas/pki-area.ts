import type { Area, AreaDeps } from '../area';

/** Wires the pki area into the app. Not built yet: no handlers, no service. */
export function createPkiArea(_deps: AreaDeps): Area<Record<never, never>> {
  return { handlers: {}, service: undefined };
}
