import { create } from 'zustand';
import { AREAS, isAreaId, type AreaId } from './areas';

interface NavigationState {
  active: AreaId;
  /** Shows an area; also reflected in the address (#/mqtt) so a reload or a bookmark lands on the same area. */
  go: (area: AreaId) => void;
  /** Ctrl+1..6 (Cmd on macOS): the n-th area, 1-based. */
  goToIndex: (index: number) => void;
}

function areaFromHash(): AreaId | undefined {
  if (typeof window === 'undefined') return undefined;
  const id = window.location.hash.replace(/^#\/?/, '');
  return isAreaId(id) ? id : undefined;
}

function writeHash(area: AreaId): void {
  if (typeof window === 'undefined') return;
  const hash = `#/${area}`;
  // replaceState, not pushState: the Back button should not walk through every area visited.
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
}

export const useNavigationStore = create<NavigationState>()((set, get) => ({
  active: areaFromHash() ?? 'vault',
  go: (area) => {
    writeHash(area);
    set({ active: area });
  },
  goToIndex: (index) => {
    const area = AREAS[index - 1];
    if (area) get().go(area.id);
  },
}));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    const area = areaFromHash();
    if (area && area !== useNavigationStore.getState().active) useNavigationStore.setState({ active: area });
  });
}
