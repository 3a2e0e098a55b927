import { describe, expect, it } from 'vitest';
import { passwordStrength } from '../../../../src/renderer/src/features/vault/password-strength';
import { classifySan, sanChips, splitList } from '../../../../src/renderer/src/features/vault/san-chips';
import { describeValidity, emptyForm, localProblems, parseClientIds, switchUnit, toIssueCall, toPreviewRequest } from '../../../../src/renderer/src/features/vault/wizard-form';
import { filterTree, nextStep as nextStepFor, statusLook } from '../../../../src/renderer/src/features/vault/pki-tree-model';
import { TREE } from './vault-fixtures';

describe('password strength (local only)', () => {
  it('refuses what the vault refuses and names common passwords, even with a digit tacked on', () => {
    expect(passwordStrength('').level).toBe('empty');
    expect(passwordStrength('short').level).toBe('too-short');
    expect(passwordStrength('short').acceptable).toBe(false);
    expect(passwordStrength('Password1').level).toBe('weak');
    expect(passwordStrength('Password1').advice).toMatch(/first passwords an attacker tries/);
    expect(passwordStrength('kubernetes!').level).toBe('weak');
    expect(passwordStrength('aaaaaaaaaaaa').level).toBe('weak');
    expect(passwordStrength('abcabcabcabc').level).toBe('weak');
  });

  it('rewards length and character classes', () => {
    expect(passwordStrength('tulip7hx').level).toBe('weak');
    expect(passwordStrength('Tulip7hx!q').level).toBe('strong');
    expect(passwordStrength('gloves on site 42').score).toBeGreaterThanOrEqual(3);
    expect(passwordStrength('a long sentence about the broker in hall 4').level).toBe('very-strong');
    expect(passwordStrength('gloves on site 42').acceptable).toBe(true);
  });
});

describe('SAN typing as you type', () => {
  it('types IPs, host names, e-mail and URIs like the engine', () => {
    expect(classifySan('192.168.2.196').kind).toBe('ip');
    expect(classifySan('fe80::1').kind).toBe('ip');
    expect(classifySan('2001:db8::10.0.0.1').kind).toBe('ip');
    expect(classifySan('mqtts.plant.local').kind).toBe('dns');
    expect(classifySan('*.plant.local').kind).toBe('dns');
    expect(classifySan('ops@plant.example').kind).toBe('email');
    expect(classifySan('spiffe://plant/broker').kind).toBe('uri');
  });

  it('names what is wrong with an impossible entry', () => {
    expect(classifySan('192.168.2.300')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/looks like an IP address but is not a valid one/) });
    expect(classifySan('bad host!').kind).toBe('invalid');
    expect(classifySan('a..b').kind).toBe('invalid');
    expect(classifySan('x.*.local').kind).toBe('invalid');
  });

  it('splits commas, spaces and lines, keeping order and dropping repeats', () => {
    expect(splitList(' 192.168.2.196,mqtts.local\n192.168.2.196  broker ')).toEqual(['192.168.2.196', 'mqtts.local', 'broker']);
    expect(sanChips('192.168.2.196 mqtts.local').map((c) => c.kind)).toEqual(['ip', 'dns']);
  });
});

describe('wizard forms', () => {
  const form = (patch = {}) => ({ ...emptyForm('ec-p256', { days: 825 }, 'inter'), ...patch });

  it('starts from the profile default and converts units without changing the duration', () => {
    expect(form()).toMatchObject({ validityAmount: '825', validityUnit: 'days', issuerId: 'inter' });
    expect(switchUnit('3000', 'days', 'hours')).toEqual({ validityAmount: '72000', validityUnit: 'hours' });
    expect(switchUnit('2400', 'hours', 'days')).toEqual({ validityAmount: '100', validityUnit: 'days' });
    expect(switchUnit('25', 'hours', 'days')).toEqual({ validityAmount: '2', validityUnit: 'days' });
    expect(describeValidity({ hours: 72000 })).toBe('72000 hours (3000 days)');
    expect(describeValidity({ days: 3650 })).toBe('3650 days (about 10 years)');
    expect(describeValidity({ days: 1 })).toBe('1 day');
  });

  it('puts each local problem under its field', () => {
    expect(localProblems('root', form({ commonName: '' }))).toMatchObject({ commonName: expect.stringMatching(/AIO42 Root CA/) });
    expect(localProblems('root', form({ commonName: 'x'.repeat(65) })).commonName).toMatch(/64 characters/);
    expect(localProblems('server', form({ commonName: 'mqtts-endpoint', sansText: '192.168.2.300' })).sans).toMatch(/192\.168\.2\.300/);
    expect(localProblems('server', form({ commonName: 'mqtts-endpoint', issuerId: '' })).issuerId).toBe('Choose the CA that signs it.');
    expect(localProblems('root', form({ commonName: 'R', validityAmount: '1.5' })).validity).toMatch(/whole number of days/);
    expect(localProblems('root', form({ commonName: 'R', validityAmount: '0' })).validity).toMatch(/at least 1 day/);
    expect(localProblems('root', form({ commonName: 'R', country: 'NLD' })).country).toMatch(/two-letter/);
    expect(localProblems('server', form({ commonName: 'mqtts-endpoint', sansText: '192.168.2.196' }))).toEqual({});
  });

  it('checks client ids: at least one, no repeats, usable characters, batch limit', () => {
    expect(parseClientIds('client42a, client42b\nclient42c')).toEqual({ ids: ['client42a', 'client42b', 'client42c'], duplicates: [], invalid: [] });
    expect(localProblems('client', form({ clientIdsText: '' })).clientIds).toMatch(/at least one client id/);
    expect(localProblems('client', form({ clientIdsText: 'client42a client42a' })).clientIds).toMatch(/"client42a" is listed twice/);
    expect(localProblems('client', form({ clientIdsText: 'client/42' })).clientIds).toMatch(/cannot be a client id/);
    expect(localProblems('client', form({ clientIdsText: 'a b c' }), 2).clientIds).toMatch(/at most 2/);
    expect(localProblems('client', form({ clientIdsText: 'client42a, client42b' }))).toEqual({});
  });

  it('builds the preview and create requests the contract expects', () => {
    const server = form({ commonName: ' mqtts-endpoint ', sansText: '192.168.2.196, mqtts.local', validityAmount: '72000', validityUnit: 'hours', country: 'nl' });
    expect(toPreviewRequest('server', server)).toEqual({
      profile: 'server',
      subject: { commonName: 'mqtts-endpoint', country: 'NL' },
      issuerId: 'inter',
      sans: ['192.168.2.196', 'mqtts.local'],
      keyAlgorithm: 'ec-p256',
      validity: { hours: 72000 },
      clampToIssuer: false,
    });
    expect(toIssueCall('server', server)).toEqual({
      name: 'pki.createServer',
      request: { subject: { commonName: 'mqtts-endpoint', country: 'NL' }, sans: ['192.168.2.196', 'mqtts.local'], keyAlgorithm: 'ec-p256', validity: { hours: 72000 }, issuerId: 'inter', clampToIssuer: false },
    });
    expect(toIssueCall('root', form({ commonName: 'AIO42 Root CA', validityAmount: '3000' }))).toEqual({
      name: 'pki.createRoot',
      request: { subject: { commonName: 'AIO42 Root CA' }, keyAlgorithm: 'ec-p256', validity: { days: 3000 } },
    });
    expect(toIssueCall('client', form({ clientIdsText: 'client42a client42b', organization: 'Contoso' }))).toMatchObject({
      name: 'pki.createClients',
      request: { clientIds: ['client42a', 'client42b'], organization: 'Contoso', issuerId: 'inter' },
    });
    expect(toPreviewRequest('root', form({ commonName: 'R' }))).not.toHaveProperty('issuerId');
  });
});

describe('tree model', () => {
  it('keeps ancestors of a match and the whole subtree of a matching CA', () => {
    const byIp = filterTree(TREE, '192.168.2.196');
    expect(byIp[0]?.certificate.id).toBe('root');
    expect(byIp[0]?.children[0]?.children.map((c) => c.certificate.id)).toEqual(['server']);
    expect(filterTree(TREE, 'AIO42 Intermediate')[0]?.children[0]?.children).toHaveLength(4);
    expect(filterTree(TREE, 'nothing like this')).toEqual([]);
    expect(filterTree(TREE, '  ')).toHaveLength(1);
  });

  it('says the state in words, with the days when they matter', () => {
    expect(statusLook('expiring', 12)).toEqual({ status: 'expiring', label: 'Expires in 12 days' });
    expect(statusLook('expiring', 1).label).toBe('Expires tomorrow');
    expect(statusLook('not-yet-valid', 0).label).toBe('Not yet valid');
    expect(statusLook('revoked', 100).label).toBe('Revoked');
  });

  it('offers the next step of the seed flow as the primary action', () => {
    expect(nextStepFor([])).toBe('root');
    expect(nextStepFor([{ certificate: TREE[0]!.certificate, children: [] }])).toBe('intermediate');
    expect(nextStepFor(TREE)).toBe('client');
  });
});
