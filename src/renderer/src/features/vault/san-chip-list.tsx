import { AtSign, CircleAlert, Globe, Link, Network } from 'lucide-react';
import type { SubjectAltName } from '@shared/pki-types';
import { SAN_KIND_LABEL, type SanChip, type SanKind } from './san-chips';

const ICONS: Record<SanKind, typeof Globe> = { ip: Network, dns: Globe, email: AtSign, uri: Link, invalid: CircleAlert };

/** SANs as chips that say their type in words (IP, DNS…), as the certificate will encode them. */
export function SanChipList({ chips, label }: { chips: readonly (SanChip | SubjectAltName)[]; label: string }) {
  if (chips.length === 0) return null;
  return (
    <ul className="fb-san-chips" aria-label={label}>
      {chips.map((c, i) => {
        const kind: SanKind = 'kind' in c ? c.kind : c.type === 'other' ? 'dns' : c.type;
        const Icon = ICONS[kind];
        return (
          <li key={`${c.value}-${i}`} className="fb-san-chip" data-kind={kind}>
            <Icon size={14} aria-hidden="true" />
            <span className="fb-san-chip__kind">{SAN_KIND_LABEL[kind]}</span>
            <span className="fb-san-chip__value">{c.value}</span>
          </li>
        );
      })}
    </ul>
  );
}
