import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifySan as uiClassify } from '../../../src/renderer/src/features/vault/san-chips';
import { emptyForm, localProblems, toIssueCall, toPreviewRequest, wizardReady } from '../../../src/renderer/src/features/vault/wizard-form';
import { PkiService } from '../../../src/main/services/pki/pki-service';
import { MemoryVaultStore } from '../../support/pki/memory-vault-store';
import { validityNotes } from '../../../src/shared/pki-rules';

// One table, three readers: the wizard's chips, the engine's preview and the certificate create issues.
// Issue 9 found them disagreeing on exactly these inputs; they must now give the same answer.
const SANS: [input: string, kind: 'ip' | 'dns' | 'email' | 'uri' | 'invalid', encoded?: string][] = [
  ['192.168.2.196', 'ip', '192.168.2.196'],
  ['10.0.0.999', 'invalid'],
  ['192.168.2.300', 'invalid'],
  ['010.0.0.1', 'invalid'],
  ['1.2.3', 'invalid'],
  // Node prints IPv6 SANs expanded and uppercase.
  ['[::1]', 'ip', '0:0:0:0:0:0:0:1'],
  ['::1', 'ip', '0:0:0:0:0:0:0:1'],
  ['fe80::1', 'ip', 'FE80:0:0:0:0:0:0:1'],
  // @peculiar/x509 alone encodes this one as 2001:db8::10, another host.
  ['2001:db8::10.0.0.1', 'ip', '2001:DB8:0:0:0:0:A00:1'],
  ['[not-ipv6]', 'invalid'],
  ['fe80::1%eth0', 'invalid'],
  ['*', 'invalid'],
  ['*.local', 'invalid'],
  ['*.plant.local', 'dns', '*.plant.local'],
  ['x.*.local', 'invalid'],
  ['mqtts-endpoint', 'dns', 'mqtts-endpoint'],
  ['broker.plant.local.', 'dns', 'broker.plant.local'],
  ['host.123', 'invalid'],
  ['a..b', 'invalid'],
  ['ops@plant.example', 'email', 'ops@plant.example'],
  ['a@b@c', 'invalid'],
  ['spiffe://plant/broker', 'uri', 'spiffe://plant/broker'],
  ['bad_host!', 'invalid'],
  // Issue 14: a missing comma made one DNS name of an address and a name; it is flagged now.
  ['192.168.2.196broker.plant.local', 'invalid'],
  ['broker.plant.local192.168.2.196', 'invalid'],
  ['edge-01192.168.2.196', 'invalid'],
  // An address embedded between dots is a real naming scheme (nip.io), not a missing comma.
  ['10.0.0.1.nip.io', 'dns', '10.0.0.1.nip.io'],
];

const NODE_LABEL = { ip: 'IP Address', dns: 'DNS', email: 'email', uri: 'URI' } as const;

describe('the SAN table: UI, preview and issuance agree', () => {
  let pki: PkiService;
  let issuerId: string;
  beforeAll(async () => {
    pki = new PkiService({ vault: new MemoryVaultStore() });
    const root = await pki.createRoot({ subject: { commonName: 'Table Root' } });
    issuerId = (await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'Table Int' } })).certificate.id;
  });

  it.each(SANS)('%s → %s', async (input, kind, encoded) => {
    const chip = uiClassify(input);
    expect(chip.kind, 'the wizard chip').toBe(kind);

    const form = { ...emptyForm('ec-p256', { days: 30 }, issuerId), commonName: 'table', sansText: input };
    const local = localProblems('server', form);
    const preview = pki.preview(toPreviewRequest('server', form));
    const call = toIssueCall('server', form);
    if (call.name !== 'pki.createServer') throw new Error('expected a server call');
    if (kind === 'invalid') {
      expect(local.sans, 'the form marks it').toBe(chip.problem);
      expect(preview.canIssue, 'the preview is not Ready').toBe(false);
      expect(preview.problems.find((p) => p.field === 'sans')?.message).toBe(chip.problem);
      await expect(pki.createServer(call.request)).rejects.toMatchObject({ code: 'pki.bad-san', message: chip.problem });
      return;
    }
    expect(local.sans).toBeUndefined();
    expect(preview.canIssue).toBe(true);
    expect(preview.certificates[0]!.sans).toEqual([{ type: kind, value: chip.value }]);
    const issued = await pki.createServer(call.request);
    // What the certificate really encodes, read back by Node's own parser.
    const der = new X509Certificate(pki.exportCertificateDer(issued.certificate.id));
    expect(der.subjectAltName).toBe(`${NODE_LABEL[kind]}:${encoded}`);
    if (kind === 'ip') expect(der.checkIP(input.replace(/^\[|\]$/g, ''))).toBeDefined();
    if (kind === 'dns' && !encoded!.startsWith('*')) expect(der.checkHost(encoded!)).toBe(encoded);
  });
});

// Validity as typed in the form: the form, the preview and create give the same verdict.
const VALIDITY: [amount: string, unit: 'days' | 'hours', clamp: boolean, verdict: 'form' | 'refused' | 'issued' | 'clamped'][] = [
  ['30', 'days', false, 'issued'],
  ['0', 'days', false, 'form'],
  ['1.5', 'days', false, 'form'],
  ['abc', 'days', false, 'form'],
  ['36501', 'days', false, 'refused'],
  ['4000', 'days', false, 'refused'],
  ['4000', 'days', true, 'clamped'],
  // The seeds' habit: the same 72000 hours as the CA, made a moment later, outlasts it by minutes.
  ['72000', 'hours', false, 'refused'],
  ['72000', 'hours', true, 'clamped'],
];

describe('the validity table: "shorten" unticked is never shortened', () => {
  let pki: PkiService;
  let issuerId: string;
  beforeAll(async () => {
    pki = new PkiService({ vault: new MemoryVaultStore() });
    const root = await pki.createRoot({ subject: { commonName: 'Seed Root' }, validity: { hours: 72000 } });
    issuerId = (await pki.createIntermediate({ issuerId: root.certificate.id, subject: { commonName: 'Seed Int' }, validity: { hours: 72000 }, clampToIssuer: true })).certificate.id;
  });

  it.each(VALIDITY)('%s %s, shorten=%s → %s', async (amount, unit, clamp, verdict) => {
    const form = { ...emptyForm('ec-p256', { days: 30 }, issuerId), commonName: 'v', validityAmount: amount, validityUnit: unit, clampToIssuer: clamp };
    const local = localProblems('server', form);
    const preview = pki.preview(toPreviewRequest('server', form));
    expect(wizardReady(local, preview, true), 'the wizard says Ready').toBe(verdict === 'issued' || verdict === 'clamped');
    if (verdict === 'form') {
      expect(local.validity).toBeDefined();
      return;
    }
    expect(local.validity).toBeUndefined();
    const call = toIssueCall('server', form);
    if (call.name !== 'pki.createServer') throw new Error('expected a server call');
    if (verdict === 'refused') {
      expect(preview.canIssue).toBe(false);
      const problem = preview.problems.find((p) => p.field === 'validity')!;
      expect(problem.message).toMatch(/\.$/);
      // The same sentence, except the minutes that passed between the two calls.
      const pattern = new RegExp(problem.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+ minutes?/, '\\d+ minutes?'));
      await expect(pki.createServer(call.request)).rejects.toMatchObject({ code: problem.code, message: expect.stringMatching(pattern) });
      return;
    }
    expect(preview.canIssue).toBe(true);
    const issued = await pki.createServer(call.request);
    const ca = pki.get(issuerId).summary;
    expect(preview.certificates[0]!.validityClamped).toBe(verdict === 'clamped');
    if (verdict === 'clamped') {
      expect(issued.certificate.notAfter).toBe(ca.notAfter);
      expect(issued.warnings.map((w) => w.code)).toEqual(['validity-clamped']);
    } else {
      expect(issued.warnings).toEqual([]);
      expect(Date.parse(issued.certificate.notAfter)).toBeLessThan(Date.parse(ca.notAfter));
    }
  });
});

// Explicit dates for test certificates (issue 14): the engine issues exactly these dates, or refuses with the rules' sentence.
const DATES: [notBefore: string | undefined, notAfter: string | undefined, days: number | undefined, verdict: 'issued' | RegExp][] = [
  ['2024-01-01', '2024-01-02', undefined, 'issued'],
  ['2024-01-01T08:00:00Z', '2024-03-01T08:00Z', undefined, 'issued'],
  [undefined, '2024-01-02', undefined, /must come after "Not before".*give a "Not before" date in the past too/],
  ['2024-01-02', '2024-01-01', undefined, /must come after "Not before"/],
  ['2024-02-30', '2024-03-01', undefined, /is not a day of the calendar/],
  ['2024-01-01T08:00', '2024-03-01', undefined, /has a time but no time zone/],
  ['yesterday', '2024-03-01', undefined, /is not an ISO date/],
  ['2024-01-01', '2024-01-02', 30, /either a validity .* or a "Not after" date, not both/],
];

describe('the dates table: --not-before/--not-after', () => {
  let pki: PkiService;
  let issuerId: string;
  beforeAll(async () => {
    pki = new PkiService({ vault: new MemoryVaultStore() });
    issuerId = (await pki.createRoot({ subject: { commonName: 'Dates Root' } })).certificate.id;
  });

  it.each(DATES)('%s → %s (days %s) → %s', async (notBefore, notAfter, days, verdict) => {
    const req = { issuerId, subject: { commonName: 'dated' }, sans: ['dated.local'], ...(notBefore ? { notBefore } : {}), ...(notAfter ? { notAfter } : {}), ...(days !== undefined ? { validity: { days } } : {}) };
    if (verdict !== 'issued') {
      await expect(pki.createServer(req)).rejects.toMatchObject({ message: expect.stringMatching(verdict) });
      return;
    }
    const issued = await pki.createServer(req);
    const der = new X509Certificate(pki.exportCertificateDer(issued.certificate.id));
    expect(new Date(der.validFrom).toISOString()).toBe(new Date(notBefore!.length === 10 ? `${notBefore}T00:00:00Z` : notBefore!).toISOString());
    expect(new Date(der.validTo).toISOString()).toBe(new Date(notAfter!.length === 10 ? `${notAfter}T00:00:00Z` : notAfter!).toISOString());
    expect(validityNotes({ notBefore: new Date(der.validFrom), notAfter: new Date(der.validTo), issuedAt: new Date(issued.certificate.createdAt) }, new Date()).map((n) => n.split(':')[0])).toEqual(['EXPIRED', 'BACK-DATED']);
  });
});
