/**
 * Text of the files that make up the test node's own /etc view and helper scripts. Kept apart from the
 * process plumbing in edge-host.ts so the node's configuration can be read in one place.
 */

export interface NodeUser {
  name: string;
  uid: number;
  home: string;
  passwordHash: string | null;
  sudo: boolean;
}

export function passwdLines(users: readonly NodeUser[]): string {
  return users.map((u) => `${u.name}:x:${u.uid}:${u.uid}:Fieldbench test user:${u.home}:/bin/bash\n`).join('');
}

export function groupLines(users: readonly NodeUser[]): string {
  return users.map((u) => `${u.name}:x:${u.uid}:\n`).join('');
}

export function shadowLines(users: readonly NodeUser[]): string {
  // '*' = no password at all (key login only); days since epoch fixed so no expiry logic kicks in.
  return users.map((u) => `${u.name}:${u.passwordHash ?? '*'}:19000:0:99999:7:::\n`).join('');
}

export function sudoersText(users: readonly NodeUser[], nodeBin: string): string {
  const lines = [
    '# Fieldbench edge test host. Bind-mounted over /etc/sudoers inside the node only.',
    'Defaults env_reset',
    // Our netplan/kubectl stand-ins come first so `sudo netplan apply` restarts the node's own networkd.
    `Defaults secure_path="${nodeBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"`,
    // Every sudo asks again, so a wrong-password test never passes on a cached ticket.
    'Defaults timestamp_timeout=0',
    'Defaults !lecture',
    // One attempt per sudo: a client sends the password once, and a wrong one fails after one PAM delay, not three.
    'Defaults passwd_tries=1',
    'root ALL=(ALL:ALL) ALL',
    ...users.filter((u) => u.sudo).map((u) => `${u.name} ALL=(ALL:ALL) ALL`),
    '@includedir /etc/sudoers.d',
    '',
  ];
  return lines.join('\n');
}

export function sshdConfigText(opts: { port: number; keyOnlyUsers: readonly string[] }): string {
  return [
    '# Fieldbench edge test host sshd (runs with -f inside the node namespace).',
    `Port ${opts.port}`,
    // All addresses of the node namespace, so sshd still answers after netplan moved the node.
    'ListenAddress 0.0.0.0',
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'HostKey /etc/ssh/ssh_host_ecdsa_key',
    'HostKey /etc/ssh/ssh_host_rsa_key',
    'PidFile /run/sshd.pid',
    // Homes live in a temp folder whose parents are not root-owned the way sshd insists on.
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin no',
    'PubkeyAuthentication yes',
    'AuthorizedKeysFile .ssh/authorized_keys',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PermitEmptyPasswords no',
    'AllowTcpForwarding yes',
    'AllowAgentForwarding yes',
    'X11Forwarding no',
    'PrintMotd no',
    'UseDNS no',
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    'LogLevel VERBOSE',
    'Subsystem sftp internal-sftp',
    ...opts.keyOnlyUsers.flatMap((u) => [`Match User ${u}`, '  PasswordAuthentication no']),
    '',
  ].join('\n');
}

export function netplanText(iface: string, address: string, prefix: number, gateway: string): string {
  return [
    'network:',
    '  version: 2',
    '  renderer: networkd',
    '  ethernets:',
    `    ${iface}:`,
    '      addresses:',
    `        - ${address}/${prefix}`,
    '      routes:',
    '        - to: default',
    `          via: ${gateway}`,
    '',
  ].join('\n');
}

/**
 * Runs inside `unshare -m` in the node's network namespace and builds the node's private view: /etc as
 * an overlay of the real one (writes land in the temp folder, never in the machine's /etc), our files
 * bind-mounted on top, a private /run, and a read-only sysfs of this namespace (networkd otherwise waits
 * for udev forever). Prints "ready" and then lives as long as its stdin, which the test process holds.
 */
export function nodeInitScript(root: string): string {
  return `#!/bin/sh
set -e
R='${root}'
if ! mount -t overlay fbedge-etc -o "lowerdir=/etc,upperdir=$R/etc-upper,workdir=$R/etc-work" /etc 2>/dev/null; then
  # Filesystems that cannot carry an overlay upper dir: a private copy of /etc does the same job.
  cp -a /etc "$R/etc-copy"
  mount --bind "$R/etc-copy" /etc
fi
for f in passwd shadow group sudoers; do mount --bind "$R/etc/$f" "/etc/$f"; done
for d in sudoers.d ssh rancher netplan; do mkdir -p "/etc/$d"; mount --bind "$R/etc/$d" "/etc/$d"; done
mount -t tmpfs -o mode=755 fbedge-run /run
mkdir -p /run/sshd /run/systemd/network /run/fieldbench
chmod 755 /run/sshd
mount -t sysfs -o ro sysfs /sys
echo ready
exec cat > /dev/null
`;
}

export function netplanWrapperText(networkdRestart: string): string {
  return `#!/bin/sh
# Fieldbench test node: netplan as on a real node, except that "apply" restarts this node's own
# standalone systemd-networkd instead of talking to systemd.
case "$1" in
  apply)
    /usr/sbin/netplan generate || exit $?
    exec '${networkdRestart}'
    ;;
  try)
    echo "netplan try is not available on the Fieldbench test node; use generate + apply." >&2
    exit 1
    ;;
  *)
    exec /usr/sbin/netplan "$@"
    ;;
esac
`;
}

export function networkdRestartText(opts: { enabled: boolean; networkdPath: string; logFile: string }): string {
  if (!opts.enabled) {
    return `#!/bin/sh
echo "This Fieldbench test node was started without networkd (startEdgeHost({ networkd: true }))." >&2
exit 1
`;
  }
  return `#!/bin/sh
PIDFILE=/run/fieldbench/networkd.pid
if [ -f "$PIDFILE" ]; then
  pid=$(cat "$PIDFILE")
  kill "$pid" 2>/dev/null || true
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
fi
# A restarted networkd keeps addresses it finds, whereas a real netplan apply leaves only the configured
# ones; drop the old IPv4 addresses of the links netplan manages so a moved node really moves.
for f in /run/systemd/network/*.network; do
  [ -f "$f" ] || continue
  name=$(sed -n 's/^Name=//p' "$f" | head -n 1)
  [ -n "$name" ] && ip -4 addr flush dev "$name" scope global 2>/dev/null || true
done
setsid '${opts.networkdPath}' >> '${opts.logFile}' 2>&1 < /dev/null &
echo $! > "$PIDFILE"
`;
}

export function kubectlWrapperText(): string {
  return `#!/bin/sh
# As on a k3s node: kubectl talks to the local API server through the root-only k3s kubeconfig.
export KUBECONFIG="\${KUBECONFIG:-/etc/rancher/k3s/k3s.yaml}"
exec /usr/bin/kubectl "$@"
`;
}

export function placeholderKubeconfig(): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: default
    cluster:
      server: https://127.0.0.1:6443
      insecure-skip-tls-verify: true
contexts:
  - name: default
    context:
      cluster: default
      user: default
current-context: default
users:
  - name: default
    user:
      token: placeholder-start-the-kube-emulator-and-call-setK3sKubeconfig
`;
}
