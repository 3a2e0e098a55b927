import { create } from 'zustand';
import { subscribe } from '../../bridge';
import { createImportSlice, type ImportSlice } from './import-slice';
import { createPkiSlice, type PkiSlice } from './pki-slice';
import { createSessionSlice, type SessionSlice } from './vault-session-slice';
import { createWizardSlice, type WizardSlice } from './wizard-slice';

/**
 * The Vault & PKI area's one store: the vault session, the certificate tree and detail, the wizards and
 * imports, combined once. It holds summaries, ids, fingerprints and public PEM only — passwords and
 * passphrases pass through actions to main and are never stored, and no private key ever reaches it.
 */
export type VaultState = SessionSlice & PkiSlice & WizardSlice & ImportSlice;

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
