import type { Area, AreaDeps, AreaHandlers } from '../area';
import type { VaultSession } from '../services/session/vault-session';

/**
 * Wires the vault: create, unlock, lock, re-key and auto-lock of the one VaultSession every other area
 * keeps its section in, and vault.onState when it locks or unlocks. The session itself is built by the
 * composition root, which owns its lifetime.
 */
export function createVaultArea(deps: AreaDeps): Area<AreaHandlers<'vault'>, VaultSession> {
  const session = deps.vault;
  const detach = session.onChange((e) => {
    deps.log.info(`vault ${e.kind}`, { event: 'vault', kind: e.kind, ...(e.kind === 'locked' && e.reason ? { reason: e.reason } : {}) });
    if (e.kind === 'locked') deps.hub.emit('vault.onState', e.reason ? { unlocked: false, reason: e.reason } : { unlocked: false });
    if (e.kind === 'locked' && e.reason === 'auto') deps.hub.emit('app.onNotice', { level: 'info', message: 'The vault locked itself after being idle. Unlock it to continue.' });
    if (e.kind === 'unlocked') deps.hub.emit('vault.onState', { unlocked: true });
  });
  const handlers: AreaHandlers<'vault'> = {
    'vault.status': () => session.status(),
    'vault.info': () => session.fileInfo(),
    'vault.create': async ({ password, path }, ctx) => {
      ctx.progress('Deriving the key from the password (Argon2id, about a second)…');
      return session.create(password, path);
    },
    'vault.unlock': async ({ password, path }, ctx) => {
      ctx.progress('Checking the password…');
      return session.unlock(password, path);
    },
    'vault.lock': () => {
      session.lock();
      return session.status();
    },
    'vault.changePassword': ({ current, next }, ctx) => {
      ctx.progress('Re-encrypting the vault under the new password…');
      return session.changePassword(current, next);
    },
    'vault.setAutoLock': ({ minutes }) => session.setAutoLock(minutes),
  };
  return { handlers, service: session, dispose: detach };
}
