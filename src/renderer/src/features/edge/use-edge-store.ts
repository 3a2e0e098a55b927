import { create } from 'zustand';
import { subscribe } from '../../bridge';
import { createApplySlice } from './edge-apply-slice';
import { createBrokerSlice } from './edge-broker-slice';
import { createNodesSlice } from './edge-nodes-slice';
import type { EdgeState } from './edge-state';

/**
 * The Edge nodes area's one store: node profiles and keys (public parts), connection tests and the host key
 * prompt, the broker view per node, and the apply dialog. Passwords, passphrases, tokens and key files pass
 * through actions to main and are never kept here.
 */
export const useEdgeStore = create<EdgeState>()((...a) => ({
  ...createNodesSlice(...a),
  ...createBrokerSlice(...a),
  ...createApplySlice(...a),
}));

// Subscribed once for the life of the window, never from components.
subscribe('vault.onState', ({ unlocked }) => useEdgeStore.getState().onVaultState(unlocked));
subscribe('edge.onNodesChanged', () => {
  if (useEdgeStore.getState().vault === 'unlocked') void useEdgeStore.getState().loadNodes();
});
subscribe('edge.onActivity', (entry) => useEdgeStore.getState().onActivity(entry));
subscribe('aio.onApplyProgress', (payload) => useEdgeStore.getState().onApplyProgress(payload));
subscribe('pki.onChanged', ({ reason }) => {
  const state = useEdgeStore.getState();
  if (reason === 'saved' && state.certificatesLoaded) void state.loadCertificates();
});
