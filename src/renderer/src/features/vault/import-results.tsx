import { useState, type FormEvent } from 'react';
import { KeyRound, X } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Progress, StatusBadge, TextField } from '../../ui';
import { useJobsStore } from '../../core/use-jobs-store';
import type { ImportRow } from './vault-state';
import { useVaultStore } from './use-vault-store';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function rowSummary(r: ImportRow): string {
  const parts: string[] = [];
  if (r.certificatesImported) parts.push(`imported ${plural(r.certificatesImported, 'certificate')}`);
  if (r.keysImported) parts.push(`${plural(r.keysImported, 'key')}${r.keysMatched ? ` (${r.keysMatched} matched to ${r.keysMatched === 1 ? 'its certificate' : 'their certificates'})` : ''}`);
  if (r.keysUnmatched) parts.push(`${plural(r.keysUnmatched, 'key')} waiting for ${r.keysUnmatched === 1 ? 'its' : 'their'} certificate`);
  if (r.duplicates) parts.push(`${plural(r.duplicates, 'duplicate')} already in the vault`);
  const text = parts.join(', ');
  return parts.length > 0 ? `${text.charAt(0).toUpperCase()}${text.slice(1)}.` : r.errors.length === 0 ? 'Nothing to import in this file.' : '';
}

function overall(rows: readonly ImportRow[]): string {
  const certs = rows.reduce((n, r) => n + r.certificatesImported, 0);
  const keys = rows.reduce((n, r) => n + r.keysImported, 0);
  const attention = rows.filter((r) => r.errors.length > 0).length;
  const head = `Imported ${plural(certs, 'certificate')} and ${plural(keys, 'key')} from ${plural(rows.length, 'file')}.`;
  return attention > 0 ? `${head} ${attention === 1 ? 'One file needs' : `${attention} files need`} attention below.` : head;
}

function rowStatus(r: ImportRow) {
  const got = r.certificatesImported + r.keysImported;
  if (r.needsPassphrase) return <StatusBadge status="warning" label={r.passphraseRejected ? 'Wrong passphrase' : 'Needs passphrase'} />;
  if (r.errors.length > 0) return got > 0 ? <StatusBadge status="warning" label="Partly imported" /> : <StatusBadge status="error" label="Not imported" />;
  if (got === 0 && r.duplicates > 0) return <StatusBadge status="unknown" label="Already in vault" />;
  return got > 0 ? <StatusBadge status="ok" label="Imported" /> : <StatusBadge status="unknown" label="Nothing found" />;
}

function PassphraseForm({ row }: { row: ImportRow }) {
  const { retry, importing } = useVaultStore(useShallow((s) => ({ retry: s.retryWithPassphrase, importing: s.importing })));
  const [passphrase, setPassphrase] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!passphrase) return;
    // Sent once with the file and then forgotten: the field is cleared and nothing keeps it.
    const value = passphrase;
    setPassphrase('');
    void retry(row.key, value);
  };
  return (
    <form className="fb-import__passphrase" onSubmit={onSubmit}>
      <TextField label={`Passphrase for ${row.fileName}`} type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      <Button type="submit" icon={<KeyRound size={18} />} loading={importing} disabled={!passphrase}>
        Import with passphrase
      </Button>
    </form>
  );
}

/** One line per picked or dropped file: what came in, duplicates, and errors as sentences. */
export function ImportResults() {
  const { rows, importing, jobId, cancelImport, dismissImport } = useVaultStore(
    useShallow((s) => ({ rows: s.importRows, importing: s.importing, jobId: s.importJobId, cancelImport: s.cancelImport, dismissImport: s.dismissImport })),
  );
  const job = useJobsStore((s) => (jobId ? s.jobs[jobId] : undefined));
  if (!importing && rows.length === 0) return null;
  return (
    <section className="fb-import" aria-labelledby="fb-import-title">
      <div className="fb-import__head">
        <h2 id="fb-import-title" className="fb-import__title">
          Import
        </h2>
        {rows.length > 0 && !importing ? (
          <Button size="sm" variant="ghost" icon={<X size={16} />} onClick={dismissImport}>
            Close
          </Button>
        ) : null}
      </div>
      {importing && !rows.some((r) => r.needsPassphrase) ? (
        <Progress label="Importing files" message={job?.message ?? 'Reading the files…'} fraction={job?.fraction} onCancel={jobId ? () => void cancelImport() : undefined} cancelling={job?.status === 'cancelling'} />
      ) : null}
      {rows.length > 0 ? <p className="fb-import__summary">{overall(rows)}</p> : null}
      <ul className="fb-import__list">
        {rows.map((r) => (
          <li key={r.key} className="fb-import__row">
            <div className="fb-import__line">
              <span className="fb-import__file">{r.fileName}</span>
              {rowStatus(r)}
            </div>
            {rowSummary(r) ? <p className="fb-import__summary">{rowSummary(r)}</p> : null}
            {r.errors
              .filter((e) => !(r.needsPassphrase && !r.passphraseRejected && e.code === 'pki.import.passphrase-required'))
              .map((e, i) => (
                <p key={`${e.code}-${i}`} className="fb-import__error">
                  {e.message}
                </p>
              ))}
            {r.needsPassphrase && !r.passphraseRejected ? <p className="fb-import__summary">This file is encrypted. Type its passphrase to import it.</p> : null}
            {r.notes.map((n, i) => (
              <p key={`note-${i}`} className="fb-import__note">
                {n}
              </p>
            ))}
            {r.needsPassphrase ? <PassphraseForm row={r} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
