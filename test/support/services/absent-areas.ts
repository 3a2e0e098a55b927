import type { MatrixResultT } from '@shared/contract/mqtt-matrix-contract';
import type { BrokerReader } from '../../../src/main/services/network/aio-cross-check-inputs';

// A service's neighbours are required in its constructor (composeApp always has them). A test that
// exercises one service alone passes these instead: each fails the test loudly if the code under test
// reaches the neighbour it said it would not, so a test cannot pass by silently skipping that path.

const unexpected = (what: string): never => {
  throw new Error(`This test does not expect ${what}; give the service a real one (see test/integration) if it should.`);
};

/** For a NetworkService whose cross-checks are given their listeners and certificates (no nodeId). */
export const noClusterRead: BrokerReader = {
  discover: async () => unexpected('the cluster to be read'),
  readBack: async () => unexpected('the cluster to be read'),
};

/** For an AioService whose tests never ask `check` for a live connect. */
export const noLiveMatrix = async (): Promise<MatrixResultT> => unexpected('a live connect (mqtt.matrixRun)');
