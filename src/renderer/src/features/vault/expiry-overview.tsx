import { useShallow } from 'zustand/react/shallow';
import type { ExpiryEntry } from '@shared/pki-types';
import { StatusBadge, Table, type TableColumn } from '../../ui';
import { formatDate, ROLE_LABEL, statusLook } from './pki-tree-model';
import { useVaultStore } from './use-vault-store';

function daysText(days: number): string {
  if (days < 0) return `${-days} day${days === -1 ? '' : 's'} ago`;
  if (days === 0) return 'today';
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** Every certificate, what expires first on top: the list to read before a site visit. */
export function ExpiryOverview({ onOpen }: { onOpen: (id: string) => void }) {
  const { entries, within } = useVaultStore(useShallow((s) => ({ entries: s.expiry, within: s.defaults?.expiringWithinDays ?? 30 })));
  const soon = entries.filter((e) => e.status === 'expiring' || e.status === 'expired').length;
  const columns: TableColumn<ExpiryEntry>[] = [
    {
      key: 'name',
      header: 'Certificate',
      sortValue: (e) => e.commonName,
      render: (e) => (
        <button type="button" className="fb-link-button" onClick={() => onOpen(e.id)}>
          {e.commonName || e.subject}
        </button>
      ),
    },
    { key: 'role', header: 'Kind', sortValue: (e) => e.role, render: (e) => ROLE_LABEL[e.role], width: '16%' },
    {
      key: 'status',
      header: 'Status',
      sortValue: (e) => e.status,
      render: (e) => {
        const look = statusLook(e.status, e.daysLeft);
        return <StatusBadge status={look.status} label={look.label} />;
      },
      width: '22%',
    },
    { key: 'notAfter', header: 'Expires', sortValue: (e) => e.notAfter, render: (e) => formatDate(e.notAfter), width: '16%' },
    { key: 'daysLeft', header: 'Time left', sortValue: (e) => e.daysLeft, render: (e) => daysText(e.daysLeft), align: 'end', width: '14%' },
  ];
  return (
    <section className="fb-expiry" aria-label="Expiry overview">
      <p className="fb-expiry__lead">
        {entries.length === 0
          ? 'No certificates yet.'
          : soon === 0
            ? `Nothing expires within ${within} days. The first expiry is at the top.`
            : `${soon} certificate${soon === 1 ? '' : 's'} expired or expiring within ${within} days. Renew ${soon === 1 ? 'it' : 'them'} before the next site visit.`}
      </p>
      <Table caption="Certificates by expiry, soonest first" captionHidden columns={columns} rows={entries} rowKey={(e) => e.id} initialSort={{ key: 'daysLeft', direction: 'ascending' }} />
    </section>
  );
}
