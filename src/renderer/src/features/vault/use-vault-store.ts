import { create } from 'zustand';
import { subscribe } from '../../bridge';
import { createImportSlice } from './import-slice';
import { createPkiSlice } from './pki-slice';
import { createSessionSlice } from './vault-session-slice';
import { createWizardSlice } from './wizard-slice';
import type { VaultState } from './vault-state';

/**
 * The Vault & PKI area's one store: the vault session, the certificate tree and detail, the wizards and
 * imports, combined once. It holds summaries, ids, fingerprints and public PEM only — passwords and
 * passphrases pass through actions to main and are never stored, and no private key ever reaches it.
 */
export const useVaultStore = create<VaultState>()((...a) => ({
  ...createSessionSlice(...a),
  ...createPkiSlice(...a),
  ...createWizardSlice(...a),
  ...createImportSlice(...a),
}));

// Subscribed once for the life of the window, never from components.
subscribe('vault.onState', (payload) => useVaultStore.getState().onVaultState(payload));
subscribe('pki.onChanged', ({ reason }) => {
  const state = useVaultStore.getState();
  if (reason === 'locked') state.clearPki();
  else if (state.status?.unlocked) void state.refreshPki();
  else void state.loadStatus();
});
