import { describe, expect, it } from 'vitest';
import { LEGACY_SSH_ALGORITHMS } from '@shared/contract/edge-contract';
import { OfferLog, sshAlgorithms } from '../../../src/main/services/edge/ssh-algorithms';

const all = (a: ReturnType<typeof sshAlgorithms>): string[] => [...a.kex, ...a.serverHostKey, ...a.cipher, ...a.hmac];

describe('SSH algorithm lists', () => {
  it('offer no SHA-1 signature, SHA-1 MAC, CBC/3DES cipher or SHA-1 group by default', () => {
    const offered = all(sshAlgorithms(false));
    for (const weak of ['ssh-rsa', 'ssh-dss', 'hmac-sha1', 'hmac-sha1-etm@openssh.com', 'diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1']) expect(offered).not.toContain(weak);
    expect(offered.filter((a) => /cbc|3des|arcfour|md5/.test(a))).toEqual([]);
  });

  it('add exactly the legacy list after the modern ones with the switch, never group1 or DSA', () => {
    const modern = sshAlgorithms(false);
    const legacy = sshAlgorithms(true);
    expect(legacy.kex).toEqual([...modern.kex, ...LEGACY_SSH_ALGORITHMS.kex]);
    expect(legacy.serverHostKey).toEqual([...modern.serverHostKey, ...LEGACY_SSH_ALGORITHMS.serverHostKey]);
    expect(legacy.cipher).toEqual([...modern.cipher, ...LEGACY_SSH_ALGORITHMS.cipher]);
    expect(legacy.hmac).toEqual([...modern.hmac, ...LEGACY_SSH_ALGORITHMS.hmac]);
    expect(all(legacy)).not.toContain('diffie-hellman-group1-sha1');
    expect(all(legacy)).not.toContain('ssh-dss');
  });

  it('ask for the trusted key type first, and only with algorithms the switch allows', () => {
    expect(sshAlgorithms(false, 'ssh-rsa').serverHostKey.slice(0, 2)).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
    expect(sshAlgorithms(false, 'ssh-rsa').serverHostKey).not.toContain('ssh-rsa');
    expect(sshAlgorithms(true, 'ssh-rsa').serverHostKey.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(sshAlgorithms(false, 'ecdsa-sha2-nistp256').serverHostKey[0]).toBe('ecdsa-sha2-nistp256');
    expect(sshAlgorithms(false, 'unknown').serverHostKey).toEqual(sshAlgorithms(false).serverHostKey);
  });

  it('remember what the node offered for the category the handshake failed on', () => {
    const log = new OfferLog();
    log.debug('Handshake: (remote) KEX method: curve25519-sha256,diffie-hellman-group14-sha1');
    log.debug('Handshake: (remote) Host key format: ssh-rsa');
    expect(log.offerFor('Handshake failed: no matching host key format')).toEqual({ what: 'host key signature', offered: 'ssh-rsa' });
    expect(log.offerFor('Handshake failed: no matching C->S MAC')).toEqual({ what: 'MAC', offered: 'nothing Fieldbench knows' });
    expect(log.offerFor('Connection reset')).toBeUndefined();
  });
});
