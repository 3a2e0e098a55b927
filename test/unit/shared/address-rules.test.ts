import { describe, expect, it } from 'vitest';
import { addressKind, cidrProblem, hostProblem, ipProblem } from '../../../src/shared/address-rules';
import { classifySan } from '../../../src/shared/pki-rules';

// Issue 14: add-node took 192.168.2.300; every address field now reads one rule.
describe('the shared address rule', () => {
  it.each([
    ['192.168.2.196', 'ipv4'],
    ['fd00::5', 'ipv6'],
    ['::1', 'ipv6'],
    ['edge-01', 'hostname'],
    ['edge-01.plant.local', 'hostname'],
    ['broker.plant.local.', 'hostname'],
    ['192.168.2.300', null],
    ['010.0.0.1', null],
    ['10.0.0', null],
    ['edge.1', null],
    ['bad host', null],
    ['-edge', null],
    ['fe80::1::2', null],
  ] as const)('%s is %s', (value, kind) => {
    expect(addressKind(value)).toBe(kind);
  });

  it('refuses 192.168.2.300 with a sentence that says which part is wrong', () => {
    expect(hostProblem('192.168.2.300', 'the node address')).toMatch(/not a valid IPv4 address: each of the four numbers must be 0–255/);
    expect(hostProblem('', 'the node address')).toBe('Enter the node address: an IP address or a host name.');
    expect(hostProblem('mqtts://broker.local')).toMatch(/no scheme/);
    expect(hostProblem('[fd00::5]')).toMatch(/without brackets: fd00::5/);
    expect(hostProblem('192.168.2.196')).toBeNull();
    expect(hostProblem('edge-01.plant.local')).toBeNull();
  });

  it('agrees with the SAN rule on what is an IP address', () => {
    for (const v of ['192.168.2.196', '192.168.2.300', '2001:db8::1', '1.2.3', 'edge-01.plant.local']) {
      const san = classifySan(v);
      const kind = addressKind(v);
      expect(san.ok && san.san.type === 'ip', v).toBe(kind === 'ipv4' || kind === 'ipv6');
      if (kind === null) expect(san.ok && san.san.type === 'dns', v).toBe(false);
    }
  });

  it('checks gateways, DNS servers and addresses with a prefix', () => {
    expect(ipProblem('192.168.2.1')).toBeNull();
    expect(ipProblem('gateway.local', 'the gateway')).toMatch(/not an IP address/);
    expect(cidrProblem('192.168.2.196/24')).toBeNull();
    expect(cidrProblem('fd00::5/64')).toBeNull();
    expect(cidrProblem('192.168.2.196')).toMatch(/prefix length/);
    expect(cidrProblem('192.168.2.196/33')).toMatch(/0–32/);
    expect(cidrProblem('192.168.2.300/24')).toMatch(/0–255/);
  });
});
