import { useState, type FormEvent } from 'react';
import { KeyRound } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Progress, TextField } from '../../ui';
import { useJobsStore } from '../../core/use-jobs-store';
import { passwordStrength } from './password-strength';
import { useVaultStore } from './use-vault-store';

/** First run: no vault yet. One calm card: the master password twice, a strength hint, Create. */
export function VaultCreateCard() {
  const { path, busy, jobId, error, createVault } = useVaultStore(
    useShallow((s) => ({ path: s.status?.path, busy: s.sessionBusy === 'create', jobId: s.sessionJobId, error: s.createError, createVault: s.createVault })),
  );
  const job = useJobsStore((s) => (jobId ? s.jobs[jobId] : undefined));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const strength = passwordStrength(password);
  const mismatch = repeat.length > 0 && repeat !== password;
  const repeatError = mismatch && (submitted || repeat.length >= password.length) ? 'The two passwords differ. Type the same password in both fields.' : undefined;
  const passwordError = submitted && !strength.acceptable ? strength.advice : error?.code === 'vault.weakPassword' ? error.message : undefined;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!strength.acceptable || password !== repeat) return;
    // The fields are cleared once main has the password; it lives nowhere else in this window.
    if (await createVault(password)) {
      setPassword('');
      setRepeat('');
    }
  };

  return (
    <section className="fb-vault-card" aria-labelledby="fb-vault-create-title">
      <div className="fb-vault-card__head">
        <span className="fb-vault-card__icon" aria-hidden="true">
          <KeyRound size={28} strokeWidth={1.75} />
        </span>
        <div>
          <h2 id="fb-vault-create-title" className="fb-vault-card__title">
            Create your vault
          </h2>
          <p className="fb-vault-card__lead">One encrypted file on this laptop for your keys, certificates and node secrets, protected by a master password.</p>
        </div>
      </div>
      <form className="fb-vault-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <TextField
          label="Master password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={passwordError}
          disabled={busy}
          autoFocus
        />
        <StrengthMeter password={password} />
        <TextField
          label="Repeat the master password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          error={repeatError}
          disabled={busy}
        />
        {error && error.code !== 'vault.weakPassword' ? (
          <p role="alert" className="fb-vault-form__error">
            {error.message}
          </p>
        ) : null}
        <p className="fb-vault-form__note">
          Fieldbench derives the key with <strong>Argon2id, which takes about a second</strong>. There is no way to recover a forgotten master password.
        </p>
        {busy ? (
          <Progress label="Creating the vault" message={job?.message ?? 'Deriving the key from the password…'} fraction={job?.fraction} />
        ) : (
          <Button type="submit" variant="primary" size="lg" icon={<KeyRound size={20} />}>
            Create vault
          </Button>
        )}
        {path ? (
          <p className="fb-vault-form__path">
            Saved as <code>{path}</code>
          </p>
        ) : null}
      </form>
    </section>
  );
}

function StrengthMeter({ password }: { password: string }) {
  const s = passwordStrength(password);
  return (
    <div className="fb-strength" data-level={s.level} aria-live="polite">
      <div className="fb-strength__bars" aria-hidden="true">
        {[1, 2, 3, 4].map((i) => (
          <span key={i} className="fb-strength__bar" data-on={password.length > 0 && (s.score >= i || (i === 1 && s.level === 'too-short')) ? true : undefined} />
        ))}
      </div>
      <p className="fb-strength__text">
        {s.label ? <strong>Strength: {s.label}. </strong> : null}
        {s.advice}
      </p>
    </div>
  );
}
