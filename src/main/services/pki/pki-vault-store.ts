/**
 * The slice of the vault the PKI engine relies on: the vault's own `VaultStore` interface. The engine
 * depends only on this interface, never on the vault's file format or crypto.
 */
export type { VaultStore as PkiVaultStore } from '../vault';
