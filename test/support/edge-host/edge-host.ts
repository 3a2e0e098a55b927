import { execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { edgeHostAvailability, NETWORKD_PATH, SSHD_PATH } from './edge-host-availability.js';
import {
  claimSubnet,
  cleanupStale,
  destroyEdgeHostSync,
  onProcessExit,
  releaseSubnet,
  writeEdgeRecord,
  type EdgeHostRecord,
} from './lab-registry.js';
import {
  groupLines,
  kubectlWrapperText,
  netplanText,
  netplanWrapperText,
  networkdRestartText,
  nodeInitScript,
  passwdLines,
  placeholderKubeconfig,
  shadowLines,
  sshdConfigText,
  sudoersText,
  type NodeUser,
} from './node-files.js';
import {
  OutputTail,
  runChecked,
  runCommand,
  sleep,
  spawnLogged,
  waitForTcp,
  type CommandResult,
  type RunOptions,
} from './run-command.js';

export { edgeHostAvailability } from './edge-host-availability.js';
export type { Availability } from './edge-host-availability.js';
export { cleanupStale as cleanupStaleEdgeHosts } from './lab-registry.js';

/** Users of the test node. Passwords are test fixtures, not secrets, but tests still never log them. */
export const KEY_USER = 'fbkey';
export const KEY_USER_SUDO_PASSWORD = 'fbkey-sudo';
export const PASSWORD_USER = 'fbpass';
export const NO_SUDO_USER = 'fbnosudo';

export type SshKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface EdgeHostOptions {
  /** Password of `fbpass` (SSH password login and sudo). Random when omitted. */
  password?: string;
  /** sshd port inside the node. Default 22. */
  sshPort?: number;
  /** Content of /etc/rancher/k3s/k3s.yaml (root-only). A placeholder pointing at 127.0.0.1:6443 otherwise. */
  k3sYaml?: string;
  /** Type of the per-host client key pair for `fbkey`. Default ed25519. */
  clientKeyType?: SshKeyType;
  /** Run a standalone systemd-networkd in the node so `sudo netplan apply` really changes addresses. */
  networkd?: boolean;
}

export interface SshPublicKey {
  /** OpenSSH public key line: "ssh-ed25519 AAAA… comment". */
  publicKey: string;
  /** "SHA256:…" as ssh and ssh-keygen print it. */
  fingerprint: string;
  type: string;
}

export interface HostKeys {
  ed25519: SshPublicKey;
  ecdsa: SshPublicKey;
  rsa: SshPublicKey;
}

export interface ClientKey extends SshPublicKey {
  /** Private key, PEM-armoured OpenSSH format (ssh, ssh2 and ssh-keygen all read it). No passphrase. */
  privateKey: string;
  /** The same key as a file (mode 600), for `ssh -i`. */
  privateKeyPath: string;
}

export interface SpareSubnet {
  subnet: string;
  /** Address of the laptop side on this subnet (only when reachable). */
  laptopAddress: string;
  /** A suggested node address on this subnet. */
  nodeAddress: string;
  prefixLength: number;
  reachable: boolean;
}

export interface EdgeHost {
  /** Network namespace name, `fbedge-<pid>-<hex>`. */
  readonly name: string;
  /** The node's address (what a technician types as "host"). */
  readonly nodeAddress: string;
  /** The laptop's address on the node's segment (the root-namespace end of the veth; also the node's gateway). */
  readonly laptopAddress: string;
  readonly subnet: string;
  readonly prefixLength: number;
  readonly sshPort: number;
  /** Interface name inside the node. */
  readonly nodeInterface: string;
  /** veth end in the root namespace (the one dropLink takes down). */
  readonly hostInterface: string;
  /** Temp folder holding the node's files; removed on stop. */
  readonly root: string;
  readonly users: {
    key: { name: string; sudoPassword: string };
    password: { name: string; password: string };
    noSudo: { name: string; password: string };
  };
  readonly clientKey: ClientKey;
  readonly hostKeys: HostKeys;
  readonly networkd: boolean;

  /** known_hosts lines for the current host keys (`[addr]:port` form when the port is not 22). */
  knownHostsLines(address?: string): string;
  /** Generates new host keys of all three types and restarts sshd: the "host key changed" case. */
  replaceHostKeys(): Promise<HostKeys>;
  /** Stops sshd's listener; with dropSessions also ends every open SSH session. */
  stopSsh(opts?: { dropSessions?: boolean }): Promise<void>;
  startSsh(): Promise<void>;
  /** Takes the laptop-side veth down: packets stop, TCP sessions stall (as a pulled cable). */
  dropLink(): Promise<void>;
  restoreLink(): Promise<void>;
  /** Spawns a process inside the node (its network and /etc view). It is killed when the host stops. */
  runInNode(cmd: string, args?: readonly string[], opts?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  /** Runs a command inside the node as root to completion. */
  execInNode(cmd: string, args?: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  /** Writes a file inside the node's view (e.g. under /etc), owned by root. */
  writeNodeFile(path: string, content: string, mode?: number): Promise<void>;
  readNodeFile(path: string): Promise<string>;
  /** Replaces /etc/rancher/k3s/k3s.yaml (root only, mode 600). */
  setK3sKubeconfig(yaml: string): Promise<void>;
  /**
   * Claims another 10.231.<m>.0/24 for moving the node. Reachable: the laptop gets .1 on it, so the node
   * can be reached there after netplan moved it. Unreachable: an `unreachable` route, so connections
   * fail at once and no packet ever leaves the machine.
   */
  addSpareSubnet(opts: { reachable: boolean }): Promise<SpareSubnet>;
  /**
   * Makes another address answer on one of this host's segments (held by the laptop-side veth), for
   * "that address is already taken" cases. Only addresses inside this host's own subnets are accepted.
   */
  addSegmentAddress(address: string): Promise<void>;
  /** Output of sshd (and networkd when enabled) for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const UID_BASE = 23001;

function sha256Fingerprint(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function readPublicKey(path: string): SshPublicKey {
  const line = readFileSync(path, 'utf8').trim();
  return { publicKey: line, fingerprint: sha256Fingerprint(line), type: line.split(' ')[0] ?? '' };
}

async function keygen(type: SshKeyType, path: string, comment: string): Promise<void> {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  // RSA 2048 rather than 3072: the test suite generates many of these and the size is not under test.
  const bits = type === 'rsa' ? ['-b', '2048'] : type === 'ecdsa' ? ['-b', '256'] : [];
  await runChecked('ssh-keygen', ['-q', '-t', type, ...bits, '-N', '', '-C', comment, '-f', path]);
}

function cidrToRange(cidr: string): [number, number] {
  const [addr, len] = cidr.includes('/') ? cidr.split('/') : [cidr, '32'];
  const parts = (addr ?? '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p))) return [0, -1];
  const base = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const bits = Number(len);
  const size = 2 ** (32 - bits);
  const start = base - (base % size);
  return [start, start + size - 1];
}

/** True when nothing in the root namespace (addresses or non-default routes) touches 10.231.n.0/24. */
function subnetUnused(n: number): boolean {
  const [lo, hi] = cidrToRange(`10.231.${n}.0/24`);
  const overlaps = (cidr: string) => {
    const [a, b] = cidrToRange(cidr);
    return a <= hi && b >= lo;
  };
  try {
    const addrs = JSON.parse(execFileSync('ip', ['-j', '-4', 'addr'], { encoding: 'utf8' })) as Array<{
      addr_info?: Array<{ local: string; prefixlen: number }>;
    }>;
    for (const link of addrs) {
      for (const a of link.addr_info ?? []) if (overlaps(`${a.local}/${a.prefixlen}`)) return false;
    }
    const routes = JSON.parse(
      execFileSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }),
    ) as Array<{ dst: string }>;
    for (const r of routes) if (r.dst && r.dst !== 'default' && overlaps(r.dst)) return false;
  } catch {
    return false;
  }
  return true;
}

class EdgeHostImpl implements EdgeHost {
  readonly nodeInterface = 'eth0';
  readonly prefixLength = 24;
  users!: EdgeHost['users'];
  clientKey!: ClientKey;
  hostKeys!: HostKeys;

  private holder: ChildProcess | undefined;
  private sshd: ChildProcess | undefined;
  private readonly sshTail = new OutputTail();
  private readonly children = new Set<ChildProcess>();
  private readonly record: EdgeHostRecord;
  private unregisterExit: () => void = () => {};
  private stopped = false;

  constructor(
    readonly name: string,
    readonly hostInterface: string,
    readonly root: string,
    private readonly subnetIndex: number,
    readonly sshPort: number,
    readonly networkd: boolean,
  ) {
    this.record = {
      name,
      ownerPid: process.pid,
      hostInterface,
      root,
      subnets: [subnetIndex],
      routes: [],
    };
  }

  get subnet(): string {
    return `10.231.${this.subnetIndex}.0/24`;
  }
  get nodeAddress(): string {
    return `10.231.${this.subnetIndex}.2`;
  }
  get laptopAddress(): string {
    return `10.231.${this.subnetIndex}.1`;
  }

  private get nodeBin(): string {
    return join(this.root, 'node-bin');
  }

  async build(opts: EdgeHostOptions): Promise<void> {
    writeEdgeRecord(this.record);
    this.unregisterExit = onProcessExit(() => destroyEdgeHostSync(this.record));
    await this.prepareFiles(opts);
    await this.createNetwork();
    await this.startHolder();
    if (this.networkd) {
      await this.execChecked('/usr/sbin/netplan', ['generate']);
      await this.execChecked(join(this.nodeBin, 'fb-networkd-restart'), []);
    }
    await this.startSsh();
  }

  private async prepareFiles(opts: EdgeHostOptions): Promise<void> {
    const r = this.root;
    chmodSync(r, 0o755); // homes below it must be reachable for the test users
    for (const d of ['etc/ssh', 'etc/sudoers.d', 'etc/rancher/k3s', 'etc/netplan', 'etc-upper', 'etc-work', 'home', 'node-bin', 'logs', 'client']) {
      mkdirSync(join(r, d), { recursive: true });
    }
    chmodSync(join(r, 'client'), 0o700);

    const password = opts.password ?? `pw-${randomBytes(9).toString('base64url')}`;
    const noSudoPassword = `pw-${randomBytes(9).toString('base64url')}`;
    this.users = {
      key: { name: KEY_USER, sudoPassword: KEY_USER_SUDO_PASSWORD },
      password: { name: PASSWORD_USER, password },
      noSudo: { name: NO_SUDO_USER, password: noSudoPassword },
    };
    const hash = async (pw: string) => (await runChecked('openssl', ['passwd', '-6', '-stdin'], { input: `${pw}\n` })).trim();
    const [keyHash, passHash, noSudoHash] = await Promise.all([
      hash(KEY_USER_SUDO_PASSWORD),
      hash(password),
      hash(noSudoPassword),
    ]);
    const users: NodeUser[] = [
      { name: KEY_USER, uid: UID_BASE, home: join(r, 'home', KEY_USER), passwordHash: keyHash, sudo: true },
      { name: PASSWORD_USER, uid: UID_BASE + 1, home: join(r, 'home', PASSWORD_USER), passwordHash: passHash, sudo: true },
      { name: NO_SUDO_USER, uid: UID_BASE + 2, home: join(r, 'home', NO_SUDO_USER), passwordHash: noSudoHash, sudo: false },
    ];

    // The machine's own accounts stay (root, sshd's privilege-separation user, systemd-network), ours are added.
    const etc = join(r, 'etc');
    writeFileSync(join(etc, 'passwd'), readFileSync('/etc/passwd', 'utf8') + passwdLines(users));
    writeFileSync(join(etc, 'group'), readFileSync('/etc/group', 'utf8') + groupLines(users));
    writeFileSync(join(etc, 'shadow'), readFileSync('/etc/shadow', 'utf8') + shadowLines(users), { mode: 0o640 });
    writeFileSync(join(etc, 'sudoers'), sudoersText(users, this.nodeBin), { mode: 0o440 });
    chmodSync(join(etc, 'sudoers'), 0o440);
    chmodSync(join(etc, 'sudoers.d'), 0o750);
    writeFileSync(join(etc, 'ssh', 'sshd_config'), sshdConfigText({ port: this.sshPort, keyOnlyUsers: [KEY_USER] }));
    writeFileSync(join(etc, 'rancher', 'k3s', 'k3s.yaml'), opts.k3sYaml ?? placeholderKubeconfig(), { mode: 0o600 });
    chmodSync(join(etc, 'rancher', 'k3s', 'k3s.yaml'), 0o600);
    writeFileSync(
      join(etc, 'netplan', '01-netcfg.yaml'),
      netplanText(this.nodeInterface, this.nodeAddress, this.prefixLength, this.laptopAddress),
      { mode: 0o600 },
    );
    writeFileSync(join(r, 'node-init.sh'), nodeInitScript(r), { mode: 0o755 });
    const restart = join(this.nodeBin, 'fb-networkd-restart');
    writeFileSync(restart, networkdRestartText({ enabled: this.networkd, networkdPath: NETWORKD_PATH, logFile: join(r, 'logs', 'networkd.log') }), { mode: 0o755 });
    writeFileSync(join(this.nodeBin, 'netplan'), netplanWrapperText(restart), { mode: 0o755 });
    writeFileSync(join(this.nodeBin, 'kubectl'), kubectlWrapperText(), { mode: 0o755 });

    const clientType = opts.clientKeyType ?? 'ed25519';
    const clientPath = join(r, 'client', `id_${clientType}`);
    await Promise.all([
      keygen(clientType, clientPath, 'fieldbench-test-client'),
      this.generateHostKeys(),
    ]);
    this.clientKey = {
      ...readPublicKey(`${clientPath}.pub`),
      privateKey: readFileSync(clientPath, 'utf8'),
      privateKeyPath: clientPath,
    };

    for (const u of users) {
      mkdirSync(join(u.home, '.ssh'), { recursive: true, mode: 0o700 });
      // fbnosudo can log in with the same key so the "no sudo" case needs no password plumbing.
      writeFileSync(join(u.home, '.ssh', 'authorized_keys'), u.name === PASSWORD_USER ? '' : `${this.clientKey.publicKey}\n`, { mode: 0o600 });
      for (const p of [u.home, join(u.home, '.ssh'), join(u.home, '.ssh', 'authorized_keys')]) chownSync(p, u.uid, u.uid);
    }
  }

  private async generateHostKeys(): Promise<void> {
    const dir = join(this.root, 'etc', 'ssh');
    await Promise.all(
      (['ed25519', 'ecdsa', 'rsa'] as const).map((t) => keygen(t, join(dir, `ssh_host_${t}_key`), `fbedge-host-${t}`)),
    );
    this.hostKeys = {
      ed25519: readPublicKey(join(dir, 'ssh_host_ed25519_key.pub')),
      ecdsa: readPublicKey(join(dir, 'ssh_host_ecdsa_key.pub')),
      rsa: readPublicKey(join(dir, 'ssh_host_rsa_key.pub')),
    };
  }

  private async createNetwork(): Promise<void> {
    await runChecked('ip', ['netns', 'add', this.name]);
    // The node end is created directly inside the namespace: no interface of the machine is ever renamed or moved.
    await runChecked('ip', ['link', 'add', this.hostInterface, 'type', 'veth', 'peer', 'name', this.nodeInterface, 'netns', this.name]);
    await runChecked('ip', ['addr', 'add', `${this.laptopAddress}/${this.prefixLength}`, 'dev', this.hostInterface]);
    await runChecked('ip', ['link', 'set', this.hostInterface, 'up']);
    const n = ['-n', this.name];
    await runChecked('ip', [...n, 'link', 'set', 'lo', 'up']);
    await runChecked('ip', [...n, 'addr', 'add', `${this.nodeAddress}/${this.prefixLength}`, 'dev', this.nodeInterface]);
    await runChecked('ip', [...n, 'link', 'set', this.nodeInterface, 'up']);
    await runChecked('ip', [...n, 'route', 'add', 'default', 'via', this.laptopAddress]);
  }

  private async startHolder(): Promise<void> {
    const { child, tail } = spawnLogged('nsenter', [
      `--net=/run/netns/${this.name}`,
      '--',
      'unshare',
      '-m',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      join(this.root, 'node-init.sh'),
    ]);
    this.holder = child;
    await new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (tail.text().includes('ready')) {
          child.stdout?.off('data', onData);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`The edge node's namespace setup failed (${code}): ${tail.text()}`)));
    });
  }

  private nsenterArgs(cmd: string, args: readonly string[]): string[] {
    if (!this.holder?.pid || this.holder.exitCode !== null) throw new Error(`Edge host ${this.name} is not running.`);
    return ['-t', String(this.holder.pid), '-m', '-n', '--', cmd, ...args];
  }

  runInNode(cmd: string, args: readonly string[] = [], opts: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const { child } = spawnLogged('nsenter', this.nsenterArgs(cmd, args), { env: { ...process.env, ...opts.env } });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  execInNode(cmd: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<CommandResult> {
    return runCommand('nsenter', this.nsenterArgs(cmd, args), opts);
  }

  private async execChecked(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
    const res = await this.execInNode(cmd, args, opts);
    if (res.code !== 0) throw new Error(`${cmd} ${args.join(' ')} in node ${this.name} failed (${res.code}): ${res.stderr.trim()}`);
    return res.stdout;
  }

  async writeNodeFile(path: string, content: string, mode = 0o644): Promise<void> {
    await this.execChecked('/bin/sh', ['-c', 'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"', 'sh', path, mode.toString(8)], {
      input: content,
    });
  }

  async readNodeFile(path: string): Promise<string> {
    return this.execChecked('/bin/cat', [path]);
  }

  async setK3sKubeconfig(yaml: string): Promise<void> {
    await this.writeNodeFile('/etc/rancher/k3s/k3s.yaml', yaml, 0o600);
  }

  async startSsh(): Promise<void> {
    if (this.sshd && this.sshd.exitCode === null && this.sshd.signalCode === null) return;
    // sshd insists on an absolute path so it can re-execute itself for each connection.
    const child = this.runInNode(SSHD_PATH, ['-D', '-e', '-f', '/etc/ssh/sshd_config']);
    this.sshTail.attach(child);
    this.sshd = child;
    await waitForTcp(this.nodeAddress, this.sshPort, {
      timeoutMs: 15_000,
      isDead: () =>
        child.exitCode !== null || child.signalCode !== null ? `sshd in the edge host exited: ${this.sshTail.text()}` : undefined,
    });
  }

  async stopSsh(opts: { dropSessions?: boolean } = {}): Promise<void> {
    const child = this.sshd;
    this.sshd = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    if (opts.dropSessions) {
      const pids = await this.netnsPids();
      for (const pid of pids) {
        let comm = '';
        try {
          comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          continue;
        }
        if (comm === 'sshd' || comm.startsWith('sshd')) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
    }
  }

  private async netnsPids(): Promise<number[]> {
    const res = await runCommand('ip', ['netns', 'pids', this.name]);
    return res.stdout.split(/\s+/).filter(Boolean).map(Number);
  }

  async replaceHostKeys(): Promise<HostKeys> {
    await this.stopSsh();
    await this.generateHostKeys();
    await this.startSsh();
    return this.hostKeys;
  }

  knownHostsLines(address = this.nodeAddress): string {
    const host = this.sshPort === 22 ? address : `[${address}]:${this.sshPort}`;
    return Object.values(this.hostKeys)
      .map((k: SshPublicKey) => `${host} ${k.publicKey.split(' ').slice(0, 2).join(' ')}\n`)
      .join('');
  }

  async dropLink(): Promise<void> {
    await runChecked('ip', ['link', 'set', this.hostInterface, 'down']);
  }

  async restoreLink(): Promise<void> {
    await runChecked('ip', ['link', 'set', this.hostInterface, 'up']);
    // The connected route comes back with the link; spare subnets' addresses stay on the interface.
  }

  async addSpareSubnet(opts: { reachable: boolean }): Promise<SpareSubnet> {
    const m = claimSubnet(this.name, subnetUnused);
    this.record.subnets.push(m);
    writeEdgeRecord(this.record);
    const subnet = `10.231.${m}.0/24`;
    if (opts.reachable) {
      await runChecked('ip', ['addr', 'add', `10.231.${m}.1/24`, 'dev', this.hostInterface]);
    } else {
      const route = ['unreachable', subnet];
      this.record.routes.push(route);
      writeEdgeRecord(this.record);
      await runChecked('ip', ['route', 'add', ...route]);
    }
    return {
      subnet,
      laptopAddress: opts.reachable ? `10.231.${m}.1` : '',
      nodeAddress: `10.231.${m}.2`,
      prefixLength: 24,
      reachable: opts.reachable,
    };
  }

  async addSegmentAddress(address: string): Promise<void> {
    const m = /^10\.231\.(\d+)\.(\d+)$/.exec(address);
    const n = Number(m?.[1]);
    const last = Number(m?.[2]);
    if (!m || !this.record.subnets.includes(n) || last < 3 || last > 254) {
      throw new Error(`${address} is not a free address in this edge host's subnets (${this.record.subnets.map((x) => `10.231.${x}.0/24`).join(', ')}; .1 and .2 are taken).`);
    }
    await runChecked('ip', ['addr', 'add', `${address}/24`, 'dev', this.hostInterface]);
  }

  logs(): string {
    let text = `--- sshd (${this.name}) ---\n${this.sshTail.text()}`;
    if (this.networkd) {
      try {
        text += `\n--- networkd ---\n${readFileSync(join(this.root, 'logs', 'networkd.log'), 'utf8')}`;
      } catch {
        /* not started yet */
      }
    }
    return text;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.children) c.kill('SIGTERM');
    this.holder?.stdin?.end();
    destroyEdgeHostSync(this.record);
    this.unregisterExit();
    // Give 'exit' events of our children a moment, so no handle keeps the test worker alive.
    await sleep(10);
  }
}

/**
 * Starts an edge test node: a network namespace on its own 10.231.<n>.0/24 (laptop .1, node .2), its own
 * /etc view, sshd with the users fbkey/fbpass/fbnosudo, and the root-only k3s kubeconfig. Needs root;
 * check edgeHostAvailability() first and skip when it says no.
 */
export async function startEdgeHost(opts: EdgeHostOptions = {}): Promise<EdgeHost> {
  const avail = edgeHostAvailability({ networkd: opts.networkd === true });
  if (!avail.ok) throw new Error(`The edge test host cannot start here: ${avail.reason}.`);
  cleanupStale();
  const id = randomBytes(3).toString('hex');
  const name = `fbedge-${process.pid}-${id}`;
  const subnet = claimSubnet(name, subnetUnused);
  const root = mkdtempSync(`/tmp/fbedge-${process.pid}-${id}-`);
  const host = new EdgeHostImpl(name, `fbh${id}`, root, subnet, opts.sshPort ?? 22, opts.networkd === true);
  try {
    await host.build(opts);
  } catch (err) {
    const logs = host.logs();
    await host.stop();
    releaseSubnet(subnet);
    throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
  }
  return host;
}
