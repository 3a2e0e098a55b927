import type ssh2 from 'ssh2';
import { LEGACY_SSH_ALGORITHMS, LEGACY_SSH_DESCRIPTION } from '@shared/contract/edge-contract';
import { FieldbenchError } from '@shared/errors';

type Algorithms = {
  kex: ssh2.KexAlgorithm[];
  serverHostKey: ssh2.ServerHostKeyAlgorithm[];
  cipher: ssh2.CipherAlgorithm[];
  hmac: ssh2.MacAlgorithm[];
};

/**
 * What Fieldbench offers by default: OpenSSH 9's own defaults minus what it only keeps for compatibility
 * (RFC 9142 for the key exchanges, RFC 8332 for RSA with SHA-2). ssh2's defaults also offer ssh-rsa
 * (SHA-1) signatures, hmac-sha1 and, when asked, CBC and SHA-1 groups; those only come with the switch.
 */
const MODERN: Algorithms = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'],
  cipher: ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
};

/** The signature algorithms a trusted host key of this type is checked with, best first. */
const FOR_KEY_TYPE: Record<string, readonly string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * The algorithm lists for one connection: the modern ones, plus the legacy ones after them when the node's
 * switch is on (so a node that can do better still does). The trusted key's type goes first, as OpenSSH
 * does, so a node with several host keys is not reported as changed because another type was negotiated.
 */
export function sshAlgorithms(legacy: boolean, trustedKeyType?: string): Algorithms {
  const lists: Algorithms = legacy
    ? {
        kex: [...MODERN.kex, ...LEGACY_SSH_ALGORITHMS.kex],
        serverHostKey: [...MODERN.serverHostKey, ...LEGACY_SSH_ALGORITHMS.serverHostKey],
        cipher: [...MODERN.cipher, ...LEGACY_SSH_ALGORITHMS.cipher],
        hmac: [...MODERN.hmac, ...LEGACY_SSH_ALGORITHMS.hmac],
      }
    : { kex: [...MODERN.kex], serverHostKey: [...MODERN.serverHostKey], cipher: [...MODERN.cipher], hmac: [...MODERN.hmac] };
  const preferred = (trustedKeyType ? FOR_KEY_TYPE[trustedKeyType] : undefined)?.filter((a) => lists.serverHostKey.includes(a as ssh2.ServerHostKeyAlgorithm));
  if (preferred?.length) lists.serverHostKey = [...(preferred as ssh2.ServerHostKeyAlgorithm[]), ...lists.serverHostKey.filter((a) => !preferred.includes(a))];
  return lists;
}

const WHAT: Record<string, string> = {
  'KEX method': 'key exchange',
  'Host key format': 'host key signature',
  'C->S cipher': 'cipher',
  'S->C cipher': 'cipher',
  'C->S MAC': 'MAC',
  'S->C MAC': 'MAC',
};

/**
 * Remembers what the node offered during the handshake, from ssh2's debug lines ("Handshake: (remote)
 * KEX method: a,b"), so a refusal can say which algorithms the node has instead of only that none matched.
 */
export class OfferLog {
  private readonly offered = new Map<string, string>();

  readonly debug = (line: string): void => {
    const m = /^Handshake: \(remote\) (.+?): (.*)$/.exec(line);
    if (m && WHAT[m[1]!]) this.offered.set(WHAT[m[1]!]!, m[2]!);
  };

  /** The node's list for the category ssh2 named in "Handshake failed: no matching …". */
  offerFor(message: string): { what: string; offered: string } | undefined {
    const m = /no matching (key exchange algorithm|host key format|C->S cipher|S->C cipher|C->S MAC|S->C MAC)/.exec(message);
    if (!m) return undefined;
    const what = m[1] === 'key exchange algorithm' ? 'key exchange' : m[1] === 'host key format' ? 'host key signature' : m[1]!.endsWith('MAC') ? 'MAC' : 'cipher';
    return { what, offered: this.offered.get(what)?.split(',').join(', ') ?? 'nothing Fieldbench knows' };
  }
}

/**
 * The refusal when the node and Fieldbench share no algorithm. With the switch off it names the switch and
 * what it allows; with it on, the node's sshd is older than even the legacy lists.
 */
export function noCommonAlgorithm(where: string, legacy: boolean, offer: { what: string; offered: string }, cause: unknown): FieldbenchError {
  const weak = [...LEGACY_SSH_ALGORITHMS.kex, ...LEGACY_SSH_ALGORITHMS.serverHostKey, ...LEGACY_SSH_ALGORITHMS.cipher, ...LEGACY_SSH_ALGORITHMS.hmac] as readonly string[];
  const legacyHelps = offer.offered.split(', ').some((a) => weak.includes(a));
  if (!legacy && legacyHelps) {
    return new FieldbenchError(
      'edge.legacyAlgorithms',
      `${where} offers only old SSH algorithms (${offer.what}: ${offer.offered}), which Fieldbench refuses by default because they are weak. Fieldbench did not log in. Update sshd on the node, or, if you accept the risk for this node, turn on "Allow legacy SSH algorithms" in its profile (CLI: --legacy-ssh), which ${LEGACY_SSH_DESCRIPTION}.`,
      { cause },
    );
  }
  return new FieldbenchError(
    'edge.noCommonAlgorithm',
    `${where} and Fieldbench have no SSH ${offer.what} in common (the node offers ${offer.offered}). Fieldbench did not log in. Update sshd on the node or configure it to offer a current ${offer.what}.`,
    { cause },
  );
}
