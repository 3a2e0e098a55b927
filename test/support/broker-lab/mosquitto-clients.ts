import { spawn } from 'node:child_process';
import type { BrokerLab } from './broker-lab.js';
import type { LabPki } from './lab-pki.js';
import { runCommand, type CommandResult } from '../edge-host/run-command.js';

/**
 * Debian's mosquitto_pub/mosquitto_sub against the broker lab: an independent reference client for
 * tests of our own MQTT code, and what the lab's self-tests use.
 */
export type ListenerName = 'plain' | 'tls' | 'mtls';
export const LISTENERS: readonly ListenerName[] = ['plain', 'tls', 'mtls'];

/** Connection arguments for one listener; `clientCert: false` leaves the client certificate out on C. */
export function listenerArgs(lab: BrokerLab, pki: LabPki, which: ListenerName, opts: { clientCert?: boolean } = {}): string[] {
  const l = lab.listeners[which];
  const args = ['-h', lab.host, '-p', String(l.port)];
  if (l.tls) args.push('--cafile', pki.serverCaFile);
  if (which === 'mtls' && opts.clientCert !== false) args.push('--cert', pki.clientChainFile, '--key', pki.clientKeyFile);
  return args;
}

export function mosquittoPub(args: readonly string[]): Promise<CommandResult> {
  return runCommand('mosquitto_pub', args, { timeoutMs: 15_000 });
}

export interface Subscription {
  /** Payloads received so far. */
  readonly messages: string[];
  /** Resolves when `count` messages arrived (or rejects with the client's output when it exits first). */
  waitFor(count: number): Promise<string[]>;
  close(): void;
}

/**
 * Starts mosquitto_sub and resolves once the broker acknowledged the subscription (its debug output
 * shows SUBACK), so a publish right after cannot overtake it.
 */
export function mosquittoSub(args: readonly string[], topic: string): Promise<Subscription> {
  // -W: a test that fails half-way never leaves a subscriber running for long.
  // stdbuf: into a pipe, mosquitto_sub's debug lines (SUBACK) would sit in a block buffer.
  const child = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-d', '-t', topic, '-q', '1', '-F', 'MSG %p', '-W', '30', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: string[] = [];
  let output = '';
  let buffered = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('MSG ')) messages.push(line.slice(4));
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const sub: Subscription = {
    messages,
    waitFor(count) {
      return new Promise((resolve, reject) => {
        const check = () => messages.length >= count && resolve([...messages]);
        waiters.push(check);
        check();
        void exited.then(() => reject(new Error(`mosquitto_sub ended with ${messages.length}/${count} messages: ${output}`)));
        setTimeout(() => reject(new Error(`mosquitto_sub got ${messages.length}/${count} messages in 15 s: ${output}`)), 15_000).unref();
      });
    },
    close() {
      child.kill();
    },
  };
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (output.includes('SUBACK')) {
        child.stdout.off('data', onData);
        resolve(sub);
      }
    };
    child.stdout.on('data', onData);
    void exited.then(() => reject(new Error(`mosquitto_sub could not subscribe: ${output}`)));
  });
}

/**
 * Subscribes on every listener, publishes one probe `probe-from-<listener>` from every listener, and
 * returns what each subscriber received (sorted). Throws with the client output when a step fails.
 */
export async function crossDeliver(lab: BrokerLab, pki: LabPki): Promise<Record<ListenerName, string[]>> {
  const topic = `lab/${Math.random().toString(16).slice(2)}`;
  const subs = await Promise.all(LISTENERS.map((l) => mosquittoSub(listenerArgs(lab, pki, l), topic)));
  try {
    for (const l of LISTENERS) {
      const res = await mosquittoPub([...listenerArgs(lab, pki, l), '-t', topic, '-q', '1', '-m', `probe-from-${l}`]);
      if (res.code !== 0) throw new Error(`mosquitto_pub on ${l} failed: ${res.stderr}`);
    }
    const got = await Promise.all(subs.map((s) => s.waitFor(LISTENERS.length)));
    return Object.fromEntries(LISTENERS.map((l, i) => [l, [...got[i]!].sort()])) as Record<ListenerName, string[]>;
  } finally {
    for (const s of subs) s.close();
  }
}
