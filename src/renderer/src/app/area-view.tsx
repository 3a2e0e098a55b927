import { useEffect, type ComponentType } from 'react';
import { EdgePage } from '../features/edge/edge-page';
import { ExportsPage } from '../features/exports/exports-page';
import { MqttPage } from '../features/mqtt/mqtt-page';
import { NetworkPage } from '../features/network/network-page';
import { RunbooksPage } from '../features/runbooks/runbooks-page';
import { VaultPage } from '../features/vault/vault-page';
import { areaById, type AreaId } from '../core/areas';
import { useNavigationStore } from '../core/use-navigation-store';

const PAGES: Record<AreaId, ComponentType> = {
  vault: VaultPage,
  edge: EdgePage,
  network: NetworkPage,
  mqtt: MqttPage,
  runbooks: RunbooksPage,
  exports: ExportsPage,
};

/** The page of the active area. */
export function AreaView() {
  const active = useNavigationStore((s) => s.active);
  const Page = PAGES[active];
  // The window title names the area too: it is what the taskbar, Alt+Tab and screen readers announce.
  useEffect(() => {
    document.title = `${areaById(active).name} — Fieldbench`;
  }, [active]);
  return <Page />;
}
