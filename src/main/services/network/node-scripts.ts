import type { NetplanError } from '@shared/contract/network-contract';
import { shellQuote } from '@shared/shell-quote';

/**
 * Shell text Fieldbench runs on the node (as root, through sudo). Kept in one place so what touches a
 * customer's node can be read in one sitting. Every script is POSIX sh; nothing needs bash.
 */

/** Folder on the node that keeps backups and the rollback's state; root-only. */
export const BACKUP_ROOT = '/var/lib/fieldbench';

/**
 * Runs a command detached from the SSH session, so it lives on when the session drops (which it does when
 * the address changes). With systemd as PID 1 a transient unit keeps it outside the login session even
 * where logind kills a session's processes on logout; elsewhere (containers, the test node) a new session
 * with setsid, no terminal and no inherited descriptors survives the same way.
 *
 * `command` is fixed text that reads its values as "$1", "$2"…; `args` are passed as separate words after
 * it, so a value is never parsed as shell code inside the nested `sh -c`.
 */
export function detached(unit: string, command: string, args: readonly string[] = []): string {
  const words = ['/bin/sh', '-c', command, 'fieldbench', ...args].map(shellQuote).join(' ');
  return [
    // systemd-run starts the unit in PID 1's namespaces: use it only when those are ours, so a node living
    // in a container or namespace (like the test node) never has its rollback run against the host.
    'if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && command -v systemd-run >/dev/null 2>&1 \\',
    '  && [ "$(readlink /proc/1/ns/net)" = "$(readlink /proc/self/ns/net)" ] && [ "$(readlink /proc/1/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ] \\',
    `  && systemd-run --quiet --collect --unit=${shellQuote(unit)} ${words} 2>/dev/null; then`,
    '  :',
    'else',
    `  setsid nohup ${words} > /dev/null 2>&1 < /dev/null &`,
    'fi',
  ].join('\n');
}

/**
 * Opens a TCP connection to host:port with bash's /dev/tcp (the one connect(2) available without extra
 * tools). The address and port reach bash as positional arguments: splicing them into the `bash -c` text
 * would let an address like `1.2.3.4/1;cmd;#` run `cmd` (issue 10 row 10), validated or not.
 */
function tcpNudge(host: string, port: number): string {
  return `timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' fieldbench ${shellQuote(host)} ${port}`;
}

/**
 * Copies the node's whole netplan config (all three folders netplan reads) to a temp root, puts the new
 * file in it from stdin and runs the node's own `netplan generate --root-dir` there. Nothing under /etc
 * or /run changes. Prints the temp root so errors can be mapped back to real paths.
 */
export function validateScript(newPath: string): string {
  return [
    'D=$(mktemp -d /tmp/fieldbench-netplan-XXXXXX) || exit 90',
    `trap 'rm -rf "$D"' EXIT`,
    'for d in etc/netplan run/netplan lib/netplan; do',
    '  [ -d "/$d" ] || continue',
    '  mkdir -p "$D/$d"',
    '  for f in "/$d"/*.yaml; do [ -f "$f" ] && cp -p "$f" "$D/$d/"; done',
    'done',
    'mkdir -p "$D/etc/netplan"',
    `umask 077; cat > "$D"${shellQuote(newPath)} || exit 91`,
    `chmod 600 "$D"${shellQuote(newPath)}`,
    `printf '@@root %s\\n' "$D"`,
    'rc=0; netplan generate --root-dir "$D" 2>&1 || rc=$?',
    `printf '@@rc %s\\n' "$rc"`,
  ].join('\n');
}

/** Parses netplan's `file:line:col: message` errors (with the excerpt and caret that follow), mapping the temp root away. */
export function parseNetplanOutput(output: string, tempRoot: string | undefined): NetplanError[] {
  const errors: NetplanError[] = [];
  const lines = output.split('\n');
  const re = /^(\/\S+?\.ya?ml):(\d+):(\d+): (.*)$/;
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]!);
    if (!m) continue;
    let file = m[1]!;
    if (tempRoot && file.startsWith(tempRoot)) file = file.slice(tempRoot.length) || '/';
    const excerpt: string[] = [];
    for (let j = i + 1; j < lines.length && j <= i + 2 && !re.test(lines[j]!) && !lines[j]!.startsWith('@@'); j++) excerpt.push(lines[j]!);
    errors.push({ file, line: Number(m[2]), column: Number(m[3]), message: m[4]!.trim(), ...(excerpt.length ? { excerpt: excerpt.join('\n') } : {}) });
  }
  if (errors.length === 0) {
    // Errors without a position ("Error in network definition: …" for the whole file).
    const generic = lines.find((l) => /error/i.test(l) && !l.startsWith('@@'));
    if (generic) errors.push({ file: '', line: 0, column: 0, message: generic.replace(tempRoot ?? '\u0000', '').trim() });
  }
  return errors;
}

/** Probes whether anything answers at the address on the interface's segment: a TCP nudge makes the kernel ARP, then the neighbour table says. */
export function probeScript(iface: string, address: string): string {
  const a = shellQuote(address);
  return [
    `ip neigh del ${a} dev ${shellQuote(iface)} 2>/dev/null`,
    "printf '@@tcp\\n'",
    // RST ("refused") also means someone is there.
    `if command -v bash >/dev/null 2>&1; then ${tcpNudge(address, 22)} 2>&1 && echo connected; fi`,
    "printf '@@neigh\\n'",
    `ip neigh show to ${a} dev ${shellQuote(iface)} 2>/dev/null`,
    "printf '@@arping\\n'",
    'command -v arping >/dev/null 2>&1 && echo present',
    "printf '@@end\\n'",
  ].join('\n');
}

/** Neighbour states that mean a machine answered ARP for the address. */
export function neighAnswered(neighOutput: string): boolean {
  return /\b(REACHABLE|STALE|DELAY|PROBE|PERMANENT)\b/.test(neighOutput) && /lladdr/.test(neighOutput);
}

export function backupScript(dir: string): string {
  const d = shellQuote(dir);
  return [
    `mkdir -p ${shellQuote(BACKUP_ROOT)} && chmod 700 ${shellQuote(BACKUP_ROOT)} || exit 92`,
    `mkdir ${d} && mkdir ${d}/files && chmod 700 ${d} || exit 93`,
    `for f in /etc/netplan/*.yaml; do [ -f "$f" ] && { cp -p "$f" ${d}/files/ || exit 94; }; done`,
    `ls -1 ${d}/files`,
  ].join('\n');
}

/**
 * The rollback armed on the node: counts down one second at a time (so "now" and "cancel" take effect
 * at once), then restores the backed-up files and re-applies. Whoever creates `decided` first — this
 * script or Fieldbench's cancel — owns the outcome, so a cancel can never interrupt a restore half-way.
 */
export function rollbackScript(dir: string, seconds: number): string {
  const d = shellQuote(dir);
  return [
    '#!/bin/sh',
    '# Fieldbench: restores the previous netplan files unless Fieldbench confirms the new address in time.',
    `echo $$ > ${d}/rollback.pid`,
    `echo armed > ${d}/state`,
    'i=0',
    `while [ $i -lt ${Math.floor(seconds)} ]; do`,
    `  [ -e ${d}/now ] && break`,
    `  [ -e ${d}/decided ] && exit 0`,
    '  sleep 1',
    '  i=$((i+1))',
    'done',
    `mkdir ${d}/decided 2>/dev/null || exit 0`,
    `echo firing > ${d}/state`,
    'for f in /etc/netplan/*.yaml; do [ -f "$f" ] && rm -f "$f"; done',
    `for f in ${d}/files/*.yaml; do [ -f "$f" ] && cp -p "$f" /etc/netplan/; done`,
    `netplan apply > ${d}/rollback-apply.log 2>&1`,
    `echo "rolled-back $?" > ${d}/state`,
    '',
  ].join('\n');
}

/** Writes the rollback script and starts it detached; succeeds only once the countdown is seen running. */
export function armScript(dir: string, seconds: number, unit: string): string {
  const d = shellQuote(dir);
  return [
    `cat > ${d}/rollback.sh <<'FIELDBENCH_ROLLBACK_EOF'`,
    rollbackScript(dir, seconds),
    'FIELDBENCH_ROLLBACK_EOF',
    `chmod 700 ${d}/rollback.sh`,
    detached(unit, 'exec /bin/sh "$1/rollback.sh" > "$1/rollback.log" 2>&1', [dir]),
    'i=0',
    'while [ $i -lt 50 ]; do',
    `  if [ -s ${d}/rollback.pid ] && kill -0 "$(cat ${d}/rollback.pid)" 2>/dev/null && [ "$(cat ${d}/state 2>/dev/null)" = armed ]; then echo armed; exit 0; fi`,
    '  sleep 0.1; i=$((i+1))',
    'done',
    'echo not-armed; exit 95',
  ].join('\n');
}

/** Replaces the file atomically with mode 600 (netplan warns about files others can read). */
export function writeFileScript(path: string): string {
  const p = shellQuote(path);
  const tmp = shellQuote(`${path}.fieldbench-new`);
  return `umask 077; cat > ${tmp} && chmod 600 ${tmp} && chown root:root ${tmp} && mv -f ${tmp} ${p}`;
}

export function applyScript(dir: string, unit: string): string {
  return detached(unit, 'netplan apply > "$1/apply.log" 2>&1; echo $? > "$1/apply.rc"', [dir]);
}

/** Cancels the countdown if it has not started restoring. Prints cancelled, or the state that won. */
export function cancelScript(dir: string): string {
  const d = shellQuote(dir);
  return [
    `if mkdir ${d}/decided 2>/dev/null; then`,
    `  pid=$(cat ${d}/rollback.pid 2>/dev/null)`,
    '  [ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null; [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null',
    `  echo cancelled > ${d}/state`,
    '  echo cancelled',
    'else',
    `  cat ${d}/state 2>/dev/null || echo unknown`,
    'fi',
  ].join('\n');
}

/** Makes an armed rollback restore now instead of at its deadline. */
export function fireNowScript(dir: string): string {
  return `touch ${shellQuote(dir)}/now; cat ${shellQuote(dir)}/state 2>/dev/null`;
}

export function stateScript(dir: string): string {
  const d = shellQuote(dir);
  return `printf 'state=%s\\n' "$(cat ${d}/state 2>/dev/null)"; printf 'apply=%s\\n' "$(cat ${d}/apply.rc 2>/dev/null)"; tail -n 5 ${d}/apply.log 2>/dev/null | sed 's/^/log=/'`;
}

/** Checks on the node after the change: the address is there, the gateway answers ARP, DNS resolves a name. */
export function verifyScript(iface: string, gateway: string | undefined, dnsName: string | undefined): string {
  const i = shellQuote(iface);
  const lines = ["printf '@@addr\\n'", `ip -j -4 addr show dev ${i}`];
  if (gateway) {
    const g = shellQuote(gateway);
    lines.push(
      `ip neigh del ${g} dev ${i} 2>/dev/null`,
      `if command -v bash >/dev/null 2>&1; then ${tcpNudge(gateway, 53)} >/dev/null 2>&1; fi`,
      "printf '@@neigh\\n'",
      `ip neigh show to ${g} dev ${i}`,
    );
  }
  if (dnsName) lines.push("printf '@@dns\\n'", `timeout 5 getent hosts ${shellQuote(dnsName)} || echo '@@dns-failed'`);
  lines.push("printf '@@end\\n'");
  return lines.join('\n');
}
