import { FileOutput, ListChecks, Network, RadioTower, Server, ShieldCheck, type LucideIcon } from 'lucide-react';

export type AreaId = 'vault' | 'edge' | 'network' | 'mqtt' | 'runbooks' | 'exports';

export interface Area {
  id: AreaId;
  /** Exactly what the navigation button and the page's <h1> say (e2e tests find areas by this name). */
  name: string;
  Icon: LucideIcon;
}

/** The six areas, in the order of a commissioning day: PKI, reach the node, fix its IP, verify, repeat, hand over. */
export const AREAS: readonly Area[] = [
  { id: 'vault', name: 'Vault & PKI', Icon: ShieldCheck },
  { id: 'edge', name: 'Edge nodes', Icon: Server },
  { id: 'network', name: 'Network', Icon: Network },
  { id: 'mqtt', name: 'MQTT', Icon: RadioTower },
  { id: 'runbooks', name: 'Runbooks', Icon: ListChecks },
  { id: 'exports', name: 'Exports', Icon: FileOutput },
];

export const isAreaId = (value: unknown): value is AreaId => typeof value === 'string' && AREAS.some((a) => a.id === value);

export function areaById(id: AreaId): Area {
  // AREAS covers every AreaId, so the lookup cannot miss.
  return AREAS.find((a) => a.id === id) as Area;
}
