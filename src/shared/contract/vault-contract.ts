import { z } from 'zod';
import { defineCall, defineEvent } from './define';
import { FilePath } from './primitives';

// Passwords travel only from the person to main, never back; the dispatcher logs no request bodies.
const Password = z.string().min(1, 'Enter the password.').max(1024);
const VaultPath = FilePath;

/** The vault file's header: readable without the password, never anything secret. */
export const VaultFileInfo = z.object({
  path: z.string(),
  formatVersion: z.number(),
  kdf: z.object({ memoryKiB: z.number(), iterations: z.number(), parallelism: z.number() }),
  created: z.string(),
  modified: z.string(),
  locked: z.boolean(),
});

export const VaultStatus = z.object({
  path: z.string(),
  exists: z.boolean(),
  unlocked: z.boolean(),
  autoLockMinutes: z.number(),
  info: VaultFileInfo.optional(),
});

export const vaultCalls = {
  /** Where the vault is, whether it exists and whether it is unlocked. Never anything secret. */
  'vault.status': defineCall({ request: z.object({}).strict(), response: VaultStatus, summary: 'Show the vault file and whether it is unlocked.' }),
  /** The vault file's format and KDF parameters, read from its header without the password. */
  'vault.info': defineCall({ request: z.object({}).strict(), response: VaultFileInfo, summary: 'Show the vault file, its format and KDF parameters.' }),
  /** Creates a new vault (never overwrites one) and leaves it unlocked. */
  'vault.create': defineCall({
    request: z.object({ password: Password, path: VaultPath.optional() }).strict(),
    response: VaultStatus,
    summary: 'Create a new encrypted vault.',
    job: true,
  }),
  'vault.unlock': defineCall({
    request: z.object({ password: Password, path: VaultPath.optional() }).strict(),
    response: VaultStatus,
    summary: 'Unlock the vault with its master password.',
    job: true,
  }),
  'vault.lock': defineCall({ request: z.object({}).strict(), response: VaultStatus, summary: 'Lock the vault and forget its key.' }),
  'vault.changePassword': defineCall({
    request: z.object({ current: Password, next: Password }).strict(),
    response: VaultStatus,
    summary: 'Change the master password.',
    job: true,
  }),
  'vault.setAutoLock': defineCall({
    request: z.object({ minutes: z.number().int().min(0).max(24 * 60) }).strict(),
    response: VaultStatus,
    summary: 'Lock automatically after this many idle minutes (0 = never).',
  }),
} as const;

export const vaultEvents = {
  'vault.onState': defineEvent({
    payload: z.object({ unlocked: z.boolean(), reason: z.enum(['auto', 'manual']).optional() }),
    summary: 'The vault was locked (by the person or after idle time) or unlocked.',
  }),
} as const;
