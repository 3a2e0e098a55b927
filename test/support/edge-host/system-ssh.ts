import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EdgeHost } from './edge-host.js';
import { runCommand, type CommandResult } from './run-command.js';

/**
 * The system OpenSSH client pointed at an edge host, as an independent reference for our own SSH code:
 * no user config, no agent, a known_hosts file of the test's choosing.
 */
export interface SystemSshOptions {
  user: string;
  /** Key login with this private key file (BatchMode, no prompts). */
  keyFile?: string;
  /** Password login, fed through SSH_ASKPASS so no tty or sshpass is needed. */
  password?: string;
  /** known_hosts file; default: one holding the host's current keys. */
  knownHostsFile?: string;
  strictHostKeyChecking?: 'yes' | 'accept-new';
  address?: string;
  connectTimeoutSeconds?: number;
  input?: string;
  extraArgs?: string[];
}

export class SystemSsh {
  private readonly dir = mkdtempSync('/tmp/fbssh-');
  private readonly askpass = join(this.dir, 'askpass.sh');
  readonly defaultKnownHosts = join(this.dir, 'known_hosts');

  constructor(private readonly host: EdgeHost) {
    writeFileSync(this.askpass, '#!/bin/sh\nprintf "%s\\n" "$FB_SSH_TEST_PASSWORD"\n', { mode: 0o700 });
    this.refreshKnownHosts();
  }

  /** Rewrites the default known_hosts with the host's current keys (after replaceHostKeys, say). */
  refreshKnownHosts(address?: string): void {
    writeFileSync(this.defaultKnownHosts, this.host.knownHostsLines(address));
  }

  /** Path of a new, empty known_hosts file (for trust-on-first-use). */
  emptyKnownHosts(): string {
    const path = join(this.dir, `known_hosts-${Math.random().toString(16).slice(2)}`);
    writeFileSync(path, '');
    return path;
  }

  args(opts: SystemSshOptions, remote: string[] = []): { args: string[]; env: NodeJS.ProcessEnv } {
    const args = [
      '-F', '/dev/null',
      '-p', String(this.host.sshPort),
      '-o', `UserKnownHostsFile=${opts.knownHostsFile ?? this.defaultKnownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', `StrictHostKeyChecking=${opts.strictHostKeyChecking ?? 'yes'}`,
      '-o', `ConnectTimeout=${opts.connectTimeoutSeconds ?? 5}`,
      '-o', 'IdentityAgent=none',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'LogLevel=ERROR',
    ];
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.SSH_AUTH_SOCK;
    if (opts.password !== undefined) {
      args.push('-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1');
      env.SSH_ASKPASS = this.askpass;
      env.SSH_ASKPASS_REQUIRE = 'force';
      env.FB_SSH_TEST_PASSWORD = opts.password;
    } else {
      args.push('-o', 'BatchMode=yes', '-o', 'PreferredAuthentications=publickey');
      if (opts.keyFile) args.push('-i', opts.keyFile);
    }
    args.push(...(opts.extraArgs ?? []), `${opts.user}@${opts.address ?? this.host.nodeAddress}`, ...remote);
    return { args, env };
  }

  /** Runs one remote command (a single shell string, as ssh sends it) and collects its output. */
  run(opts: SystemSshOptions, command: string): Promise<CommandResult> {
    const { args, env } = this.args(opts, [command]);
    return runCommand('ssh', args, { env, timeoutMs: 30_000, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  }

  /** Starts ssh without waiting (port forwarding, long sessions); the caller kills it. */
  spawn(opts: SystemSshOptions, remote: string[] = []): ChildProcess {
    const { args, env } = this.args(opts, remote);
    return spawn('ssh', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
