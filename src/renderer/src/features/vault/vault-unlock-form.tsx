import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Info, LockOpen, LockKeyhole } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Progress, TextField } from '../../ui';
import { useJobsStore } from '../../core/use-jobs-store';
import { useVaultStore } from './use-vault-store';

/** The vault exists and is locked: one password field, Enter unlocks, a wrong password is said under it. */
export function VaultUnlockForm() {
  const { path, busy, jobId, error, failures, notice, unlockVault } = useVaultStore(
    useShallow((s) => ({
      path: s.status?.path,
      busy: s.sessionBusy === 'unlock',
      jobId: s.sessionJobId,
      error: s.unlockError,
      failures: s.unlockFailures,
      notice: s.lockNotice,
      unlockVault: s.unlockVault,
    })),
  );
  const job = useJobsStore((s) => (jobId ? s.jobs[jobId] : undefined));
  const [password, setPassword] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);

  // After a wrong password the field keeps focus with its text selected, so typing again replaces it.
  useEffect(() => {
    if (failures === 0) return;
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [failures]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!password) {
      inputRef.current?.focus();
      return;
    }
    if (await unlockVault(password)) setPassword('');
  };

  return (
    <section className="fb-vault-card" aria-labelledby="fb-vault-unlock-title">
      <div className="fb-vault-card__head">
        <span className="fb-vault-card__icon" aria-hidden="true">
          <LockKeyhole size={28} strokeWidth={1.75} />
        </span>
        <div>
          <h2 id="fb-vault-unlock-title" className="fb-vault-card__title">
            The vault is locked
          </h2>
          <p className="fb-vault-card__lead">Type the master password to open your keys and certificates.</p>
        </div>
      </div>
      {notice ? (
        <p className="fb-vault-notice" role="status">
          <Info size={18} aria-hidden="true" />
          <span>{notice}</span>
        </p>
      ) : null}
      <form className="fb-vault-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <TextField
          ref={inputRef}
          label="Master password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={error?.message}
          readOnly={busy}
          autoFocus
        />
        {busy ? (
          <Progress label="Unlocking the vault" message={job?.message ?? 'Checking the password…'} fraction={job?.fraction} />
        ) : (
          <Button type="submit" variant="primary" size="lg" icon={<LockOpen size={20} />}>
            Unlock
          </Button>
        )}
        {path ? (
          <p className="fb-vault-form__path">
            <code>{path}</code>
          </p>
        ) : null}
      </form>
    </section>
  );
}
