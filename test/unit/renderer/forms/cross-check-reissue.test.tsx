import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { NetworkSnapshot } from '@shared/contract/network-contract';

vi.mock('../../../../src/renderer/src/bridge', () => import('../fake-bridge'));

const { CrossCheckPanel } = await import('../../../../src/renderer/src/features/network/cross-check-panel');
const { useNetworkStore } = await import('../../../../src/renderer/src/features/network/use-network-store');
const { useReissueStore } = await import('../../../../src/renderer/src/core/use-reissue-store');

afterEach(cleanup);

// Issue 14: every SAN diagnosis offers "Re-issue with these SANs"; in the network cross-check the SANs can
// now be edited before re-issuing (the old address out, the new one in), for the node being moved.
describe('network cross-check', () => {
  it('opens the prefilled renew with the new address in and the old one out', () => {
    useNetworkStore.setState({
      nodeId: 'n-1',
      snapshot: { host: '192.168.2.50' } as NetworkSnapshot,
      crossCheck: {
        address: '192.168.2.196',
        certificates: [{ id: 'c1', name: 'aio-broker', source: 'vault', valid: false, message: 'The certificate does not list 192.168.2.196.', canReissue: true, sans: ['IP:192.168.2.50', 'DNS:mqtts-endpoint'] }],
        listeners: [],
        reachability: [],
        warnings: 1,
      },
    });
    render(<CrossCheckPanel />);
    fireEvent.click(screen.getByRole('button', { name: 'Edit the SANs…' }));
    expect(useReissueStore.getState().request).toEqual({ certificateId: 'c1', sans: ['mqtts-endpoint', '192.168.2.196'], why: 'The certificate does not list 192.168.2.196.', nodeId: 'n-1' });
  });
});
