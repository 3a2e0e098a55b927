/**
 * The AIO operator stand-in as a process, started inside the edge test host's node by startAioOperator:
 *   node --import tsx test/support/broker-lab/aio-operator-cli.ts CONFIG.json
 * CONFIG.json holds an OperatorConfig. It writes DIR/state.json after every reconcile; SIGTERM stops it and
 * the brokers it started.
 */
import { readFileSync } from 'node:fs';
import { runAioOperatorInNode, type OperatorConfig } from './aio-operator.js';

await runAioOperatorInNode(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as OperatorConfig);
process.stdout.write('aio-operator: watching\n');
