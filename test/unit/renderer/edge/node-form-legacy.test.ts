import { describe, expect, it } from 'vitest';
import { buildSaveRequest, emptyNodeForm, nodeFormFrom, type NodeFormValues, type NodeSummary } from '../../../../src/renderer/src/features/edge/node-form';

const filled = (patch: Partial<NodeFormValues> = {}): NodeFormValues => ({ ...emptyNodeForm(), name: 'edge-01', host: '192.168.2.196', user: 'aio', keyId: 'k-1', ...patch });

describe('node form: the legacy SSH algorithms switch', () => {
  it('is off for a new node and says so only when ticked', () => {
    expect(emptyNodeForm().legacyAlgorithms).toBe(false);
    expect(buildSaveRequest(filled(), undefined).request).not.toHaveProperty('legacyAlgorithms');
    expect(buildSaveRequest(filled({ legacyAlgorithms: true }), undefined).request).toMatchObject({ legacyAlgorithms: true });
  });

  it('on edit, shows the stored choice and sends an untick as false, so main turns it off', () => {
    const node = { id: 'n-1', name: 'edge-01', host: '10.0.0.2', port: 22, user: 'aio', auth: { method: 'agent' }, hasSudoPassword: false, legacyAlgorithms: true, kube: { mode: 'ssh', kubeconfigPath: '/etc/rancher/k3s/k3s.yaml' }, created: '', modified: '' } satisfies NodeSummary;
    const v = nodeFormFrom(node);
    expect(v.legacyAlgorithms).toBe(true);
    expect(buildSaveRequest({ ...v, legacyAlgorithms: false }, 'n-1').request).toMatchObject({ legacyAlgorithms: false });
  });
});
