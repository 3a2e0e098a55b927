import type { CertificateStatus, CertificateSummary, PkiTreeNode } from '@shared/pki-types';
import type { Status } from '../../ui';
import { maySignCa } from '@shared/pki-rules';

/** Depth-first, in the order the tree shows them. */
export function flattenTree(tree: readonly PkiTreeNode[]): CertificateSummary[] {
  const out: CertificateSummary[] = [];
  const walk = (nodes: readonly PkiTreeNode[]) => {
    for (const n of nodes) {
      out.push(n.certificate);
      walk(n.children);
    }
  };
  walk(tree);
  return out;
}

export function findCertificate(tree: readonly PkiTreeNode[], id: string): CertificateSummary | undefined {
  return flattenTree(tree).find((c) => c.id === id);
}

/** CAs that can sign: the choices of a wizard's "Signed by" list. */
export function signingCas(tree: readonly PkiTreeNode[], profile: 'intermediate' | 'server' | 'client'): CertificateSummary[] {
  return flattenTree(tree).filter((c) => c.isCa && c.hasPrivateKey && c.status !== 'revoked' && c.status !== 'expired' && (profile !== 'intermediate' || maySignCa(c.pathLength)));
}

/** The CA a wizard starts with: an intermediate for leaves (the seeds' habit), a root for intermediates. */
export function defaultIssuer(tree: readonly PkiTreeNode[], profile: 'intermediate' | 'server' | 'client'): string {
  const cas = signingCas(tree, profile);
  const preferred = profile === 'intermediate' ? cas.find((c) => c.role === 'root') : cas.find((c) => c.role === 'intermediate');
  return (preferred ?? cas[0])?.id ?? '';
}

function matches(c: CertificateSummary, needle: string): boolean {
  const hay = [c.commonName, c.subject, c.issuer, c.role, c.keyAlgorithm, c.status, c.fingerprintSha1, c.fingerprintSha256, c.serialHex, ...c.sans.map((s) => s.value)];
  return hay.some((h) => h.toLowerCase().includes(needle));
}

/**
 * The tree narrowed to what matches the filter. A match keeps its ancestors (so the chain stays
 * readable) and its whole subtree (typing a CA's name shows what it issued).
 */
export function filterTree(tree: readonly PkiTreeNode[], filter: string): PkiTreeNode[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return [...tree];
  const prune = (nodes: readonly PkiTreeNode[]): PkiTreeNode[] => {
    const out: PkiTreeNode[] = [];
    for (const n of nodes) {
      if (matches(n.certificate, needle)) out.push(n);
      else {
        const children = prune(n.children);
        if (children.length > 0) out.push({ certificate: n.certificate, children });
      }
    }
    return out;
  };
  return prune(tree);
}

export const ROLE_LABEL: Record<CertificateSummary['role'], string> = {
  root: 'Root CA',
  intermediate: 'Intermediate CA',
  server: 'Server',
  client: 'Client',
  leaf: 'Certificate',
};

/** The badge for a certificate's state: colour, icon and words, with the days when that is what matters. */
export function statusLook(status: CertificateStatus, daysLeft: number): { status: Status; label: string } {
  switch (status) {
    case 'valid':
      return { status: 'valid', label: 'Valid' };
    case 'expiring':
      return { status: 'expiring', label: daysLeft <= 0 ? 'Expires today' : daysLeft === 1 ? 'Expires tomorrow' : `Expires in ${daysLeft} days` };
    case 'expired':
      return { status: 'expired', label: 'Expired' };
    case 'revoked':
      return { status: 'revoked', label: 'Revoked' };
    case 'not-yet-valid':
      return { status: 'warning', label: 'Not yet valid' };
  }
}

/** "12 Mar 2036" in the technician's locale, without a time that would only be noise. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** The next step of the seeds' flow, shown as the one primary button: root → intermediate → server → clients. */
export function nextStep(tree: readonly PkiTreeNode[]): 'root' | 'intermediate' | 'server' | 'client' {
  const all = flattenTree(tree);
  if (!all.some((c) => c.role === 'root' && c.hasPrivateKey)) return 'root';
  if (!all.some((c) => c.role === 'intermediate' && c.hasPrivateKey)) return 'intermediate';
  if (!all.some((c) => c.role === 'server')) return 'server';
  return 'client';
}
