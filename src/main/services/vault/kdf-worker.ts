/**
 * Worker thread entry for the vault's Argon2id: hash-wasm computes synchronously inside WebAssembly, so on
 * the main thread an unlock (and a header asking for the caps' worst case, ~4 s) would stall every other
 * call of the app. Here it runs beside the event loop; the thread serves one derivation and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { argon2id } from 'hash-wasm';

export interface KdfJob {
  password: Uint8Array;
  salt: Uint8Array;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  hashLength: number;
}

const job = workerData as KdfJob | undefined;
if (parentPort && job) {
  const port = parentPort;
  argon2id({ password: job.password, salt: job.salt, memorySize: job.memoryKiB, iterations: job.iterations, parallelism: job.parallelism, hashLength: job.hashLength, outputType: 'binary' }).then(
    (master) => {
      job.password.fill(0);
      port.postMessage({ ok: true, master }, [master.buffer as ArrayBuffer]);
    },
    (err: unknown) => {
      job.password.fill(0);
      port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
    },
  );
}
