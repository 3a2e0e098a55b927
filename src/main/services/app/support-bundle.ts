import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { logDir, LOG_FILE_NAME, redactDeep } from './logger';

const LIBRARIES = ['ssh2', 'mqtt', '@kubernetes/client-node', 'node-forge', '@peculiar/x509', 'pino', 'ws'];

/** Versions of the libraries that talk to the node and the broker, as installed under the project root. */
export function libraryVersions(projectRoot: string): Record<string, string> {
  const req = createRequire(resolve(projectRoot, 'package.json'));
  const out: Record<string, string> = {};
  for (const name of LIBRARIES) {
    try {
      out[name] = (req(`${name}/package.json`) as { version: string }).version;
    } catch {
      out[name] = 'not found';
    }
  }
  return out;
}

/** What a support engineer needs to see, none of it secret. */
export interface SupportBundleInput {
  dataDir: string;
  appVersion: string;
  /** `fieldbench doctor --json`. */
  doctor: unknown;
  /** The nodes' summaries and activity as the contract returns them (no secret is in any response); absent when the vault stayed locked. */
  nodes?: unknown;
  /** Why the nodes are missing, for the README. */
  nodesNote?: string;
  /** Versions of the libraries that talk to the node and the broker. */
  libraries?: Record<string, string>;
}

export interface SupportBundle {
  zip: Uint8Array;
  entries: string[];
}

const json = (value: unknown) => strToU8(`${JSON.stringify(redactDeep(value), null, 2)}\n`);

/**
 * The zip `fieldbench support bundle` writes. The log files are redacted when written; each line is parsed
 * and passed through the same redaction again here, so a log written by an older version cannot bring
 * a secret into the bundle either.
 */
export function buildSupportBundle(input: SupportBundleInput): SupportBundle {
  const files: Record<string, Uint8Array> = {};
  const logs = logDir(input.dataDir);
  const logFiles = existsSync(logs) ? readdirSync(logs).filter((f) => f.startsWith(LOG_FILE_NAME)).sort() : [];
  for (const f of logFiles) {
    const lines = readFileSync(join(logs, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.stringify(redactDeep(JSON.parse(line)));
        } catch {
          return JSON.stringify({ unreadableLine: true });
        }
      });
    files[`logs/${f}`] = strToU8(`${lines.join('\n')}\n`);
  }
  files['versions.json'] = json({
    fieldbench: input.appVersion,
    node: process.versions.node,
    electron: process.versions.electron ?? null,
    platform: process.platform,
    arch: arch(),
    osRelease: release(),
    libraries: input.libraries ?? {},
  });
  files['doctor.json'] = json(input.doctor);
  if (input.nodes !== undefined) files['nodes.json'] = json(input.nodes);
  files['README.txt'] = strToU8(
    [
      `Fieldbench ${input.appVersion} support bundle, made ${new Date().toISOString()}.`,
      '',
      'logs/          the app log (JSON lines; passwords, tokens, keys and request bodies are never written)',
      'doctor.json    external tools, data folder and desktop runtime as `fieldbench doctor` sees them',
      'versions.json  Fieldbench, Node, the operating system and the libraries that talk to nodes and brokers',
      input.nodes !== undefined ? "nodes.json     the edge nodes' profiles and activity, without any password, key or token" : `nodes.json     not included: ${input.nodesNote ?? 'the vault stayed locked'}`,
      '',
    ].join('\n'),
  );
  return { zip: zipSync(files, { level: 6 }), entries: Object.keys(files) };
}
