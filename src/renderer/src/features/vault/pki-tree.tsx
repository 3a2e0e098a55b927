import { useId, useMemo, useRef, type KeyboardEvent } from 'react';
import { FileBadge, Search, Server, ShieldCheck, Shield, UserRound } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { CertificateSummary, PkiTreeNode } from '@shared/pki-types';
import { StatusBadge, TextField } from '../../ui';
import { filterTree, formatDate, ROLE_LABEL, statusLook } from './pki-tree-model';
import { useVaultStore } from './use-vault-store';

const ROLE_ICON = { root: ShieldCheck, intermediate: Shield, server: Server, client: UserRound, leaf: FileBadge } as const;

interface RowProps {
  node: PkiTreeNode;
  level: number;
  selectedId: string | undefined;
  focusId: string | undefined;
  onSelect: (id: string) => void;
}

function TreeRow({ node, level, selectedId, focusId, onSelect }: RowProps) {
  const c = node.certificate;
  const labelId = useId();
  const Icon = ROLE_ICON[c.role];
  // A certificate can be in date and still unusable: its chain is what a TLS peer checks.
  const look = node.chainProblem && (c.status === 'valid' || c.status === 'expiring') ? { status: 'error' as const, label: 'Chain broken' } : statusLook(c.status, c.daysLeft);
  const selected = c.id === selectedId;
  return (
    <li
      role="treeitem"
      aria-level={level}
      aria-selected={selected}
      aria-expanded={node.children.length > 0 ? true : undefined}
      aria-labelledby={labelId}
      tabIndex={c.id === focusId ? 0 : -1}
      data-id={c.id}
      className="fb-tree__item"
      onClick={(e) => {
        e.stopPropagation();
        onSelect(c.id);
      }}
    >
      <div className="fb-tree__row" data-selected={selected || undefined} data-status={c.status} style={{ paddingLeft: `calc(var(--space-3) + ${(level - 1) * 20}px)` }}>
        <span className="fb-tree__icon" data-role={c.role} aria-hidden="true">
          <Icon size={18} />
        </span>
        <span id={labelId} className="fb-tree__text">
          <span className="fb-tree__name">{c.commonName || c.subject}</span>
          <span className="fb-tree__meta">
            {ROLE_LABEL[c.role]} · {c.keyAlgorithm} · until {formatDate(c.notAfter)}
            {c.hasPrivateKey ? null : ' · certificate only'}
            <span className="fb-visually-hidden">, {look.label}</span>
          </span>
          {node.chainProblem ? <span className="fb-tree__meta fb-tree__chain-problem">{node.chainProblem}</span> : null}
        </span>
        <span className="fb-tree__status" aria-hidden="true">
          <StatusBadge status={look.status} label={look.label} />
        </span>
      </div>
      {node.children.length > 0 ? (
        <ul role="group" className="fb-tree__group">
          {node.children.map((child) => (
            <TreeRow key={child.certificate.id} node={child} level={level + 1} selectedId={selectedId} focusId={focusId} onSelect={onSelect} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function visibleIds(nodes: readonly PkiTreeNode[]): string[] {
  return nodes.flatMap((n) => [n.certificate.id, ...visibleIds(n.children)]);
}

/** The PKI as root → intermediate → leaves, each with its state in colour, icon and words; a filter above. */
export function PkiTree() {
  const { tree, filter, setFilter, selectedId, select, counts, total } = useVaultStore(
    useShallow((s) => ({ tree: s.tree, filter: s.filter, setFilter: s.setFilter, selectedId: s.selectedId, select: s.select, counts: s.counts, total: s.total })),
  );
  const shown = useMemo(() => filterTree(tree, filter), [tree, filter]);
  const ids = useMemo(() => visibleIds(shown), [shown]);
  const focusId = selectedId && ids.includes(selectedId) ? selectedId : ids[0];
  const treeRef = useRef<HTMLUListElement>(null);

  const focusItem = (id: string | undefined) => {
    if (!id) return;
    treeRef.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`)?.focus();
  };

  // WAI-ARIA tree keys: ↑/↓ move, Home/End jump, Enter/Space select; the tree is always fully expanded.
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const current = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]')?.dataset.id;
    const index = current ? ids.indexOf(current) : -1;
    let next: string | undefined;
    switch (event.key) {
      case 'ArrowDown':
        next = ids[Math.min(ids.length - 1, index + 1)];
        break;
      case 'ArrowUp':
        next = ids[Math.max(0, index - 1)];
        break;
      case 'Home':
        next = ids[0];
        break;
      case 'End':
        next = ids[ids.length - 1];
        break;
      case 'Enter':
      case ' ':
        if (current) void select(current);
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    if (next) {
      void select(next);
      focusItem(next);
    }
  };

  const summary = counts ? summaryText(total, counts) : '';
  return (
    <section className="fb-pki-tree" aria-label="Certificates">
      <div className="fb-pki-tree__filter">
        <Search size={18} className="fb-pki-tree__search-icon" aria-hidden="true" />
        <TextField label="Filter certificates" type="search" placeholder="Name, IP, host or fingerprint" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <p className="fb-pki-tree__summary">{filter.trim() ? `${ids.length} of ${total} shown` : summary}</p>
      {shown.length === 0 ? (
        <p className="fb-vault-muted fb-pki-tree__none">Nothing matches “{filter.trim()}”. Clear the filter to see every certificate.</p>
      ) : (
        <ul ref={treeRef} role="tree" aria-label="Certificate tree" className="fb-tree" onKeyDown={onKeyDown}>
          {shown.map((node) => (
            <TreeRow key={node.certificate.id} node={node} level={1} selectedId={selectedId} focusId={focusId} onSelect={(id) => void select(id)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function summaryText(total: number, counts: Record<CertificateSummary['status'], number>): string {
  const parts = [`${total} certificate${total === 1 ? '' : 's'}`];
  if (counts.expiring) parts.push(`${counts.expiring} expiring soon`);
  if (counts.expired) parts.push(`${counts.expired} expired`);
  if (counts.revoked) parts.push(`${counts.revoked} revoked`);
  if (counts['not-yet-valid']) parts.push(`${counts['not-yet-valid']} not yet valid`);
  if (parts.length === 1 && total > 0) parts.push('all valid');
  return parts.join(' · ');
}
