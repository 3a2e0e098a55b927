/** Time source for the vault's dates and its idle timer; tests pass a fake one. */
export interface VaultClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: VaultClock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    // unref: an idle timer must not keep the CLI or a test runner alive.
    return setTimeout(callback, ms).unref();
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
