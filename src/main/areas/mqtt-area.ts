import type { Area, AreaDeps } from '../area';

/** Wires the mqtt area into the app. Not built yet: no handlers, no service. */
export function createMqttArea(_deps: AreaDeps): Area<Record<never, never>> {
  return { handlers: {}, service: undefined };
}
