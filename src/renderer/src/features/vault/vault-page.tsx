import { useEffect } from 'react';
import { ChevronDown, Lock, RefreshCw } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, PageHeader } from '../../ui';
import { areaById } from '../../core/areas';
import { PkiWorkspace } from './pki-workspace';
import { useVaultStore } from './use-vault-store';
import { VaultCreateCard } from './vault-create-card';
import { VaultUnlockForm } from './vault-unlock-form';
import './vault-page.css';

const AUTO_LOCK_CHOICES = [0, 5, 15, 30, 60, 120, 240];

function autoLockLabel(minutes: number): string {
  if (minutes === 0) return 'Never';
  if (minutes < 60) return `After ${minutes} min idle`;
  return `After ${minutes / 60} h idle`;
}

/** Lock is always in reach while unlocked; beside it, how long the vault stays open when nobody uses it. */
function VaultHeaderActions() {
  const { minutes, lockVault, setAutoLock } = useVaultStore(useShallow((s) => ({ minutes: s.status?.autoLockMinutes ?? 15, lockVault: s.lockVault, setAutoLock: s.setAutoLock })));
  const choices = AUTO_LOCK_CHOICES.includes(minutes) ? AUTO_LOCK_CHOICES : [...AUTO_LOCK_CHOICES, minutes].sort((a, b) => a - b);
  return (
    <>
      <label className="fb-vault-autolock">
        <span className="fb-vault-autolock__label">Auto-lock</span>
        <span className="fb-select-wrap">
          <select className="fb-select fb-vault-autolock__select" value={minutes} onChange={(e) => void setAutoLock(Number(e.target.value))}>
            {choices.map((m) => (
              <option key={m} value={m}>
                {autoLockLabel(m)}
              </option>
            ))}
          </select>
          <ChevronDown size={18} className="fb-select-wrap__chevron" aria-hidden="true" />
        </span>
      </label>
      <Button variant="secondary" icon={<Lock size={18} />} onClick={() => void lockVault()}>
        Lock
      </Button>
    </>
  );
}

/** Vault & PKI: create or unlock the vault, then the certificate tree, wizards, detail and import. */
export function VaultPage() {
  const { status, statusError, loadStatus } = useVaultStore(useShallow((s) => ({ status: s.status, statusError: s.statusError, loadStatus: s.loadStatus })));
  useEffect(() => {
    void loadStatus();
  }, [loadStatus]);

  const { name } = areaById('vault');
  const unlocked = status?.unlocked === true;
  const description = !status
    ? 'Keys, certificates and secrets for your edge nodes, encrypted on this laptop.'
    : !status.exists
      ? 'Keys, certificates and secrets for your edge nodes, encrypted on this laptop.'
      : unlocked
        ? 'Your roots, intermediates, server and client certificates. Select one to inspect it.'
        : 'Keys, certificates and secrets for your edge nodes, encrypted on this laptop.';

  return (
    <div className="fb-vault" data-state={!status ? 'loading' : !status.exists ? 'new' : unlocked ? 'unlocked' : 'locked'}>
      <PageHeader title={name} description={description} actions={unlocked ? <VaultHeaderActions /> : undefined} />
      {statusError ? (
        <div className="fb-vault-card" role="alert">
          <p className="fb-vault-form__error">{statusError.message}</p>
          <Button icon={<RefreshCw size={18} />} onClick={() => void loadStatus()}>
            Try again
          </Button>
        </div>
      ) : !status ? (
        <p className="fb-vault-muted">Opening the vault…</p>
      ) : !status.exists ? (
        <VaultCreateCard />
      ) : !unlocked ? (
        <VaultUnlockForm />
      ) : (
        <PkiWorkspace />
      )}
    </div>
  );
}
