import type { Handler } from '../ipc/dispatcher';
import type { VaultSession } from '../services/session/vault-session';

export function vaultHandlers(session: VaultSession) {
  const status: Handler<'vault.status'> = () => session.status();
  const create: Handler<'vault.create'> = async ({ password, path }, ctx) => {
    ctx.progress('Deriving the key from the password (Argon2id, about a second)…');
    return session.create(password, path);
  };
  const unlock: Handler<'vault.unlock'> = async ({ password, path }, ctx) => {
    ctx.progress('Checking the password…');
    return session.unlock(password, path);
  };
  const lock: Handler<'vault.lock'> = () => {
    session.lock();
    return session.status();
  };
  const changePassword: Handler<'vault.changePassword'> = ({ current, next }, ctx) => {
    ctx.progress('Re-encrypting the vault under the new password…');
    return session.changePassword(current, next);
  };
  const setAutoLock: Handler<'vault.setAutoLock'> = ({ minutes }) => session.setAutoLock(minutes);
  return {
    'vault.status': status,
    'vault.create': create,
    'vault.unlock': unlock,
    'vault.lock': lock,
    'vault.changePassword': changePassword,
    'vault.setAutoLock': setAutoLock,
  } as const;
}
