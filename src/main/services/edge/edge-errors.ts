import { FieldbenchError } from '@shared/errors';

/** Where a connection attempt is going, for messages ("fbkey@10.0.0.2:22"). */
export interface Target {
  name: string;
  host: string;
  port: number;
  user: string;
}

const where = (t: Target): string => `${t.name} (${t.host}:${t.port})`;

/** Every error the edge area shows a person, in one place so the codes and sentences stay consistent. */
export const edgeErrors = {
  hostKeyUnknown(t: Target, type: string, fingerprint: string): FieldbenchError {
    return new FieldbenchError(
      'edge.hostKeyUnknown',
      `Fieldbench has not connected to ${where(t)} before. Its host key is ${type} ${fingerprint}. Compare it with the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_${keyFileType(type)}_key.pub) and trust it to continue.`,
      { detail: JSON.stringify({ type, fingerprint }) },
    );
  },
  /** The same refusal for a login typed in directly: there is no profile to trust the key in, so the person gives it. */
  directHostKeyUnknown(t: Target, type: string, fingerprint: string): FieldbenchError {
    return new FieldbenchError(
      'edge.hostKeyUnknown',
      `Fieldbench has not connected to ${t.host}:${t.port} before and sent no password or key to it. Its host key is ${type} ${fingerprint}. Compare it with the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_${keyFileType(type)}_key.pub); if they match, confirm it as the expected host key (fieldbench: --host-key ${fingerprint}) and try again.`,
      { detail: JSON.stringify({ type, fingerprint }) },
    );
  },
  hostKeyChanged(t: Target, type: string, fingerprint: string, expected: string): FieldbenchError {
    return new FieldbenchError(
      'edge.hostKeyChanged',
      `WARNING: the host key of ${where(t)} changed. Fieldbench trusted ${expected}, but the node now presents ${type} ${fingerprint}. This can mean someone is intercepting the connection, or the node was reinstalled. Fieldbench did not connect. Check with whoever manages the node before trusting the new key.`,
      { detail: JSON.stringify({ type, fingerprint, expected }) },
    );
  },
  unreachable(t: Target, cause: unknown): FieldbenchError {
    const code = (cause as { code?: string } | undefined)?.code;
    const level = (cause as { level?: string } | undefined)?.level;
    let why: string;
    if (code === 'ECONNREFUSED') why = `nothing accepts connections on port ${t.port} there. Check that sshd runs on the node and the port is right`;
    else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') why = 'there is no route to that address. Check the cable or Wi-Fi, your laptop\'s address on that network, and the node address';
    else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') why = 'that host name does not resolve. Use the node\'s IP address on site';
    else if (code === 'ETIMEDOUT' || level === 'client-timeout') why = 'it did not answer in time. Check that the node is powered on and on the same network as this laptop';
    else if (code === 'ECONNRESET') why = 'the node closed the connection. sshd may be restarting or refusing this laptop';
    else why = 'the connection failed. Check the address, the port and the network';
    return new FieldbenchError('edge.unreachable', `Cannot reach ${where(t)}: ${why}.`, { cause });
  },
  authFailed(t: Target, method: string, cause: unknown): FieldbenchError {
    const hint =
      method === 'key'
        ? `Check that the node's ~/.ssh/authorized_keys for ${t.user} holds this key's public line (shown in the node's profile)`
        : method === 'password'
          ? `Check the user name and password; the node may also refuse password logins for ${t.user}`
          : 'Check that your SSH agent holds a key the node accepts (ssh-add -l)';
    return new FieldbenchError('edge.authFailed', `${where(t)} refused the login as ${t.user}. ${hint}.`, { cause });
  },
  noAgent(): FieldbenchError {
    return new FieldbenchError('edge.noAgent', 'No SSH agent is running for Fieldbench (SSH_AUTH_SOCK is not set). Start your agent and add your key, or store a key in the vault for this node.');
  },
  dropped(t: Target, cause?: unknown): FieldbenchError {
    return new FieldbenchError('edge.connectionDropped', `The connection to ${where(t)} dropped. Check the network; the next action reconnects.`, { cause });
  },
  sudoRefused(t: Target): FieldbenchError {
    return new FieldbenchError('edge.sudoRefused', `sudo on ${where(t)} refused the password for ${t.user}. Enter the right sudo password in the node's profile (or when asked).`);
  },
  sudoPasswordNeeded(t: Target): FieldbenchError {
    return new FieldbenchError('edge.sudoPasswordNeeded', `sudo on ${where(t)} asks for ${t.user}'s password. Store the sudo password in the node's profile or enter it when asked.`);
  },
  noSudo(t: Target, stderr: string): FieldbenchError {
    return new FieldbenchError('edge.noSudo', `${t.user} may not use sudo on ${where(t)}. Log in as a user with sudo rights (k3s's kubeconfig and netplan need them), or ask the node's administrator to add ${t.user} to sudoers.`, { detail: stderr.trim().slice(0, 500) });
  },
  commandFailed(t: Target, what: string, code: number | null, stderr: string): FieldbenchError {
    return new FieldbenchError('edge.commandFailed', `${what} failed on ${where(t)} (exit ${code ?? 'signal'}). The node said: ${firstLine(stderr) || 'nothing'}.`, { detail: stderr.trim().slice(0, 2000) });
  },
  noSsh(name: string): FieldbenchError {
    return new FieldbenchError(
      'edge.noSsh',
      `${name} is reached only through its kubeconfig and has no SSH login, so this needs SSH and cannot run: setting a static address, the host check and SSH tunnels all log in to the node. Edit ${name} and add its SSH user and login to use them.`,
    );
  },
  jumpLoop(name: string): FieldbenchError {
    return new FieldbenchError('edge.jumpLoop', `The jump hosts of ${name} lead back to themselves. Choose a jump host that connects directly.`);
  },
};

function firstLine(s: string): string {
  return (s.trim().split('\n')[0] ?? '').slice(0, 300);
}

function keyFileType(type: string): string {
  if (type.includes('ed25519')) return 'ed25519';
  if (type.startsWith('ecdsa')) return 'ecdsa';
  return 'rsa';
}
