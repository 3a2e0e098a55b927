// The vault's exported interface: what other areas' services may import (.dependency-cruiser.cjs holds them to it).
export { Vault, type VaultCreateOptions, type VaultInfo } from './vault';
export { vaultErrors } from './vault-errors';
export type { VaultChangeEvent, VaultStore } from './vault-store';
export { vaultPathTaken } from './vault-path';
