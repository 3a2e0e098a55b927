import { FieldbenchError } from '@shared/errors';

/** Stable codes for everything the vault can refuse; the CLI and the UI switch on these. */
export type VaultErrorCode =
  | 'vault.locked'
  | 'vault.wrongPassword'
  | 'vault.corrupt'
  | 'vault.newerFormat'
  | 'vault.notFound'
  | 'vault.unreadable'
  | 'vault.exists'
  | 'vault.notAFile'
  | 'vault.changedOnDisk'
  | 'vault.busy'
  | 'vault.saveFailed'
  | 'vault.invalidSection'
  | 'vault.weakParameters';

/** Builders for the vault's person-facing errors, so every caller words the same case the same way. */
export const vaultErrors = {
  locked(): FieldbenchError {
    return new FieldbenchError('vault.locked', 'The vault is locked. Unlock it with your master password and try again.');
  },
  wrongPassword(): FieldbenchError {
    return new FieldbenchError('vault.wrongPassword', 'The password does not open this vault. Check Caps Lock and try again.');
  },
  corrupt(path: string, detail: string, hasBackup: boolean, cause?: unknown): FieldbenchError {
    const restore = hasBackup
      ? `Restore the previous version from ${path}.bak or from another copy.`
      : 'Restore it from a copy you trust.';
    return new FieldbenchError(
      'vault.corrupt',
      `The vault file ${path} is damaged or was changed outside Fieldbench, so it cannot be trusted and was left as it is. ${restore}`,
      { detail, cause },
    );
  },
  newerFormat(formatVersion: number): FieldbenchError {
    return new FieldbenchError(
      'vault.newerFormat',
      `This vault was written by a newer Fieldbench (format ${formatVersion}). Update Fieldbench to open it.`,
    );
  },
  notFound(path: string, cause?: unknown): FieldbenchError {
    return new FieldbenchError('vault.notFound', `There is no vault at ${path}. Check the path, or create a new vault there.`, { cause });
  },
  unreadable(path: string, cause: unknown): FieldbenchError {
    return new FieldbenchError('vault.unreadable', `The vault file ${path} could not be read. Check that you may read it, then try again.`, { cause });
  },
  exists(path: string): FieldbenchError {
    return new FieldbenchError('vault.exists', `A file already exists at ${path}. Open that vault, or choose another path for the new one.`);
  },
  notAFile(path: string, kind: string, target?: string): FieldbenchError {
    if (target) {
      return new FieldbenchError(
        'vault.notAFile',
        `${path} is a symbolic link to ${target}, not the vault file itself, so Fieldbench left it alone: a save would replace the link rather than update the file. Point Fieldbench at the real file (--vault ${target}).`,
      );
    }
    return new FieldbenchError('vault.notAFile', `${path} is ${kind}, not a vault file, so Fieldbench left it alone. Point Fieldbench at the vault file itself (--vault PATH), or move the vault there.`);
  },
  changedOnDisk(path: string): FieldbenchError {
    return new FieldbenchError(
      'vault.changedOnDisk',
      `The vault was changed by another Fieldbench (or another program) since it was unlocked, so this change was not saved and ${path} still holds the other change. Lock and unlock the vault (in the CLI: run the command again) to load the current file, then make the change again.`,
    );
  },
  busy(path: string): FieldbenchError {
    return new FieldbenchError(
      'vault.busy',
      `Another Fieldbench kept the vault ${path} locked for more than half a minute, so this change was not saved. Try again in a moment; if no other Fieldbench is running, remove the folder ${path}.lock.`,
    );
  },
  saveFailed(path: string, cause: unknown): FieldbenchError {
    return new FieldbenchError(
      'vault.saveFailed',
      `The vault could not be saved to ${path}; the file on disk still holds the previous version. Check free space and permissions, then try again.`,
      { cause },
    );
  },
  invalidSection(name: string, cause: unknown): FieldbenchError {
    return new FieldbenchError(
      'vault.invalidSection',
      `The change to the vault section "${name}" holds data that cannot be stored, so nothing was saved. Please report this.`,
      { cause },
    );
  },
  weakParameters(detail: string): FieldbenchError {
    return new FieldbenchError('vault.weakParameters', `The key derivation settings are outside the range Fieldbench accepts (${detail}). Use the defaults.`);
  },
};
