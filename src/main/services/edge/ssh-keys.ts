import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { FieldbenchError } from '@shared/errors';

const { utils } = ssh2;

/** The public half of an SSH key, as people and authorized_keys see it. */
export interface SshPublicKeyInfo {
  /** ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa… */
  type: string;
  /** "type base64 comment": one authorized_keys line. */
  publicKey: string;
  /** "SHA256:…" exactly as ssh-keygen -l prints it. */
  fingerprint: string;
}

export interface SshPrivateKey extends SshPublicKeyInfo {
  /** OpenSSH or PEM text as ssh2 reads it; stays in the vault. */
  privateKey: string;
  passphrase?: string;
  comment: string;
}

/** SHA256 fingerprint of an SSH public key blob (the wire encoding), without base64 padding, as OpenSSH prints it. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function sshKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

function describe(privateKey: string, passphrase: string | undefined, comment: string): SshPrivateKey {
  const parsed = utils.parseKey(privateKey, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase|bad decrypt/i.test(parsed.message);
    if (encrypted && passphrase === undefined) {
      throw new FieldbenchError('edge.keyPassphraseNeeded', 'This private key is protected by a passphrase. Enter the passphrase to import it.', { cause: parsed });
    }
    if (encrypted) {
      throw new FieldbenchError('edge.keyPassphraseWrong', 'The passphrase does not open this private key. Check it and try again.', { cause: parsed });
    }
    throw new FieldbenchError('edge.keyInvalid', 'This is not a private key Fieldbench can read. Use an OpenSSH ("BEGIN OPENSSH PRIVATE KEY") or PEM (RSA, EC, PKCS#8) private key.', { cause: parsed });
  }
  const key = Array.isArray(parsed) ? (parsed[0] as ssh2.ParsedKey) : parsed;
  if (!key.isPrivateKey()) {
    throw new FieldbenchError('edge.keyNotPrivate', 'This is a public key. Import the private key file (the one without .pub).');
  }
  const blob = key.getPublicSSH();
  const type = key.type;
  const finalComment = comment || key.comment || 'fieldbench';
  return {
    type,
    publicKey: `${type} ${blob.toString('base64')} ${finalComment}`.trim(),
    fingerprint: sshFingerprint(blob),
    privateKey,
    ...(passphrase === undefined ? {} : { passphrase }),
    comment: finalComment,
  };
}

/** Generates an Ed25519 key in OpenSSH format (the format ssh-keygen writes). */
export function generateSshKey(comment = 'fieldbench'): SshPrivateKey {
  const pair = utils.generateKeyPairSync('ed25519', { comment });
  return describe(pair.private, undefined, comment);
}

/** Reads an OpenSSH or PEM private key, checking the passphrase when it is encrypted. */
export function importSshKey(privateKey: string, passphrase?: string, comment?: string): SshPrivateKey {
  const text = privateKey.replace(/\r\n/g, '\n').trim() + '\n';
  if (/PuTTY-User-Key-File/.test(text)) {
    throw new FieldbenchError('edge.keyInvalid', 'This is a PuTTY key (.ppk). Export it from PuTTYgen as "OpenSSH key" and import that file.');
  }
  return describe(text, passphrase, comment ?? '');
}
