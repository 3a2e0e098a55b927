import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { inspectDataDir, type DataDirState } from './data-dir';
import { adviseElectronRuntime, inspectElectronRuntime, type ElectronRuntime } from './electron-runtime';

export interface ToolCheck {
  id: string;
  label: string;
  usedFor: string;
  found: boolean;
  version?: string;
  path?: string;
  hint?: string;
}

interface ToolSpec {
  id: string;
  label: string;
  command: string;
  versionArgs: string[];
  usedFor: string;
  hint: string;
}

const TOOLS: ToolSpec[] = [
  { id: 'ssh-agent', label: 'ssh-agent', command: 'ssh-agent', versionArgs: [], usedFor: 'SSH login with keys held by the agent', hint: 'Install OpenSSH (Debian/Ubuntu: apt install openssh-client; Windows: the OpenSSH Client optional feature).' },
  { id: 'kubectl', label: 'kubectl', command: 'kubectl', versionArgs: ['version', '--client', '-o', 'yaml'], usedFor: 'checking cluster changes by hand (Fieldbench talks to the API itself)', hint: 'Optional. Install kubectl from your Kubernetes distribution.' },
  { id: 'az', label: 'Azure CLI (az)', command: 'az', versionArgs: ['version', '-o', 'tsv'], usedFor: 'the Azure Arc proxy (az connectedk8s proxy)', hint: 'Needed only for the Arc path; SSH works offline without it. Install the Azure CLI and the connectedk8s extension.' },
  { id: 'openssl', label: 'OpenSSL', command: 'openssl', versionArgs: ['version'], usedFor: 'cross-checking certificates by hand (Fieldbench signs with its own engine)', hint: 'Optional. Install openssl.' },
  { id: 'mosquitto_pub', label: 'mosquitto_pub', command: 'mosquitto_pub', versionArgs: ['--help'], usedFor: 'running copied mosquitto command lines', hint: 'Optional. Install mosquitto-clients.' },
  { id: 'mosquitto_sub', label: 'mosquitto_sub', command: 'mosquitto_sub', versionArgs: ['--help'], usedFor: 'running copied mosquitto command lines', hint: 'Optional. Install mosquitto-clients.' },
];

/** Finds an executable on PATH the way a shell would, without running a shell. */
export function whichSync(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, command + ext);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        /* keep looking */
      }
    }
  }
  return undefined;
}

function firstVersionLine(output: string): string | undefined {
  const line = output.split(/\r?\n/).find((l) => /\d+\.\d+/.test(l));
  const match = line?.match(/v?\d+\.\d+(\.\d+)?[^\s,]*/);
  return match?.[0];
}

function readVersion(path: string, args: string[]): Promise<string | undefined> {
  if (args.length === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(path, args, { timeout: 5000, windowsHide: true }, (_err, stdout, stderr) => {
      resolve(firstVersionLine(`${stdout}\n${stderr}`));
    });
  });
}

export interface DoctorReport {
  tools: ToolCheck[];
  dataDir: DataDirState;
  electron: { found: boolean; path?: string; hint?: string };
}

function electronCheck(projectRoot: string | undefined, env: NodeJS.ProcessEnv): DoctorReport['electron'] {
  const runtime: ElectronRuntime = projectRoot || process.versions.electron
    ? inspectElectronRuntime({ projectRoot: projectRoot ?? '', env, platform: process.platform, runningElectron: process.versions.electron, execPath: process.execPath })
    : { state: 'no-package' };
  const advice = adviseElectronRuntime(runtime);
  const hint = `${advice.reason.charAt(0).toUpperCase()}${advice.reason.slice(1)}. ${advice.next}`;
  const path = 'binaryPath' in runtime ? runtime.binaryPath : undefined;
  return path ? { found: true, path, hint } : { found: false, hint };
}

export async function runDoctor(options: { dataDir: string; projectRoot?: string; env?: NodeJS.ProcessEnv }): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const tools = await Promise.all(
    TOOLS.map(async (tool): Promise<ToolCheck> => {
      const path = whichSync(tool.command, env);
      if (!path) return { id: tool.id, label: tool.label, usedFor: tool.usedFor, found: false, hint: tool.hint };
      const version = await readVersion(path, tool.versionArgs);
      return { id: tool.id, label: tool.label, usedFor: tool.usedFor, found: true, path, ...(version ? { version } : {}) };
    }),
  );
  return { tools, dataDir: inspectDataDir(options.dataDir), electron: electronCheck(options.projectRoot, env) };
}
