/**
 * The K8S-SAT front as a process, so it can run inside the edge test host's node (`host.runInNode`) next to
 * the broker lab's mosquitto and the Kubernetes API emulator, as an AIO broker's SAT listener would.
 *
 *   node --import tsx test/support/broker-lab/sat-broker-cli.ts CONFIG.json
 *
 * CONFIG.json holds SatBrokerOptions with file paths instead of PEM text (certFile, keyFile, kube.caFile,
 * kube.tokenFile) and `readyFile`, written with the port once the front listens. SIGTERM stops it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { startSatBroker } from './sat-broker.js';

interface CliConfig {
  host: string;
  port?: number;
  certFile: string;
  keyFile: string;
  kube: { url: string; caFile: string; tokenFile: string };
  audience?: string;
  upstream: { host: string; port: number };
  deny?: string[];
  readyFile: string;
}

const cfg = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CliConfig;
const broker = await startSatBroker({
  host: cfg.host,
  ...(cfg.port ? { port: cfg.port } : {}),
  certPem: readFileSync(cfg.certFile, 'utf8'),
  keyPem: readFileSync(cfg.keyFile, 'utf8'),
  kube: { url: cfg.kube.url, caPem: readFileSync(cfg.kube.caFile, 'utf8'), token: readFileSync(cfg.kube.tokenFile, 'utf8').trim() },
  ...(cfg.audience ? { audience: cfg.audience } : {}),
  upstream: cfg.upstream,
  ...(cfg.deny ? { deny: cfg.deny } : {}),
});
// The verdict lines (never the token) go to stdout for the test's failure messages.
let shown = 0;
const timer = setInterval(() => {
  const lines = broker.log();
  for (; shown < lines.length; shown++) process.stdout.write(`${lines[shown]}\n`);
}, 100);
writeFileSync(cfg.readyFile, String(broker.port));
process.on('SIGTERM', () => {
  clearInterval(timer);
  void broker.stop().then(() => process.exit(0));
});
