import { describe, expect, it } from 'vitest';
import { buildSaveRequest, emptyNodeForm, type NodeFormValues } from '../../../../src/renderer/src/features/edge/node-form';
import { emptyForm, validateForm } from '../../../../src/renderer/src/features/mqtt/connection-form';
import { sanChips } from '../../../../src/renderer/src/features/vault/san-chips';

const node = (patch: Partial<NodeFormValues>): NodeFormValues => ({ ...emptyNodeForm(), name: 'edge-01', user: 'aio', keyId: 'k-1', host: '192.168.2.196', ...patch });

// Issue 14: "The add-node form accepts 192.168.2.300"; every address field reads the shared rule now.
describe('address fields use the shared rule', () => {
  it('add-node refuses 192.168.2.300 next to the Address field, in the shared words', () => {
    expect(buildSaveRequest(node({}), undefined).errors.host).toBeUndefined();
    expect(buildSaveRequest(node({ host: 'edge-01.plant.local' }), undefined).errors.host).toBeUndefined();
    expect(buildSaveRequest(node({ host: 'fd00::196' }), undefined).errors.host).toBeUndefined();
    expect(buildSaveRequest(node({ host: '192.168.2.300' }), undefined).errors.host).toMatch(/"192\.168\.2\.300" is not a valid IPv4 address/);
    expect(buildSaveRequest(node({ host: 'edge.1' }), undefined).errors.host).toMatch(/neither an IP address nor a valid host name/);
  });

  it('the MQTT connection host refuses the same typo', () => {
    const form = { ...emptyForm(), name: 'Line 1', host: '192.168.2.300' };
    expect(validateForm(form).host).toMatch(/"192\.168\.2\.300" is not a valid IPv4 address/);
    expect(validateForm({ ...form, host: 'broker.plant.local' }).host).toBeUndefined();
    expect(validateForm({ ...form, host: 'mqtts://broker.plant.local' }).host).toMatch(/no scheme/);
  });

  it('a missing comma in the SAN box is flagged, not one DNS name', () => {
    const chips = sanChips('edge-01.plant.local, 192.168.2.196broker.plant.local');
    expect(chips.map((c) => c.kind)).toEqual(['dns', 'invalid']);
    expect(chips[1]!.problem).toMatch(/without a comma/);
  });
});
