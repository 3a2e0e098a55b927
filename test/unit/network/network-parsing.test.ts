import { describe, expect, it } from 'vitest';
import { buildSnapshot, parseNetplanDump, parseResolvConf, parseDnsFromResolvectl } from '../../../src/main/services/network/network-discovery';
import { parseNetplanOutput, neighAnswered, rollbackScript } from '../../../src/main/services/network/node-scripts';
import { globMatches } from '../../../src/main/services/network/netplan-config';
import { formatIpv4, parseIpv4, parseIpv4Cidr } from '../../../src/main/services/network/ipv4';

describe('netplan error output', () => {
  const root = '/tmp/fieldbench-netplan-Ab12Cd';
  const out = `@@root ${root}\n${root}/etc/netplan/01-netcfg.yaml:7:9: Error in network definition: malformed address '10.0.0.300/24', must be X.X.X.X/NN or X:X:X:X:X:X:X:X/NN\n        - 10.0.0.300/24\n        ^\n@@rc 1\n`;
  it('maps the temp root away and keeps line, column, message and excerpt', () => {
    expect(parseNetplanOutput(out, root)).toEqual([
      { file: '/etc/netplan/01-netcfg.yaml', line: 7, column: 9, message: "Error in network definition: malformed address '10.0.0.300/24', must be X.X.X.X/NN or X:X:X:X:X:X:X:X/NN", excerpt: '        - 10.0.0.300/24\n        ^' },
    ]);
  });
  it('keeps errors without a position', () => {
    expect(parseNetplanOutput('Error: something broke\n', undefined)[0]).toMatchObject({ file: '', line: 0, message: 'Error: something broke' });
  });
});

describe('discovery parsing', () => {
  const output = [
    '@@hostname', 'edge-01',
    '@@link', JSON.stringify([
      { ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00' },
      { ifname: 'enp4s0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', address: 'aa:bb:cc:dd:ee:ff' },
      { ifname: 'enp5s0', flags: ['BROADCAST', 'MULTICAST', 'UP'], mtu: 1500, operstate: 'DOWN', link_type: 'ether', address: 'aa:bb:cc:dd:ee:00' },
      { ifname: 'cni0', flags: ['UP', 'LOWER_UP'], operstate: 'UP', link_type: 'ether', address: '11:bb:cc:dd:ee:00', linkinfo: { info_kind: 'bridge' } },
    ]),
    '@@addr', JSON.stringify([
      { ifname: 'enp4s0', addr_info: [{ family: 'inet', local: '192.168.2.50', prefixlen: 24, scope: 'global', dynamic: true }, { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' }] },
    ]),
    '@@route', JSON.stringify([{ dst: 'default', gateway: '192.168.2.254', dev: 'enp4s0', protocol: 'dhcp', metric: 100 }, { dst: '192.168.2.0/24', dev: 'enp4s0' }]),
    '@@ssh', '192.168.2.10 50123 192.168.2.50 22',
    '@@resolvconf', 'nameserver 127.0.0.53\nsearch plant.local\n',
    '@@netplan', '/usr/sbin/netplan',
    '@@end',
  ].join('\n');
  const files = parseNetplanDump(`@@file 600 /etc/netplan/50-cloud-init.yaml\n${Buffer.from('network:\n  version: 2\n  ethernets:\n    enp4s0:\n      dhcp4: true\n').toString('base64')}\n@@end\n`);
  const snap = buildSnapshot({ host: '192.168.2.50', output, netplanFiles: files });

  it('reads interfaces with state, carrier, kind, DHCP and the file that configures them', () => {
    const e = snap.interfaces.find((i) => i.name === 'enp4s0')!;
    expect(e).toMatchObject({ kind: 'ethernet', state: 'UP', carrier: true, hasDefaultRoute: true, gateway: '192.168.2.254', connectedVia: true, dhcp4: true, configuredBy: ['/etc/netplan/50-cloud-init.yaml'] });
    expect(e.addresses[0]).toEqual({ address: '192.168.2.50', prefix: 24, family: 'inet', dynamic: true, scope: 'global' });
    expect(snap.interfaces.find((i) => i.name === 'enp5s0')).toMatchObject({ carrier: false, state: 'DOWN', up: true });
    expect(snap.interfaces.find((i) => i.name === 'cni0')?.kind).toBe('bridge');
    expect(snap.hostname).toBe('edge-01');
  });
  it('suggests the settings that reproduce the current address, without the local DNS stub', () => {
    expect(snap.suggestedSettings).toEqual({ interface: 'enp4s0', address: '192.168.2.50/24', gateway: '192.168.2.254', search: ['plant.local'] });
    expect(snap.dns).toEqual({ servers: ['127.0.0.53'], search: ['plant.local'], source: 'resolv.conf' });
  });
  it('parses resolvectl and resolv.conf', () => {
    expect(parseDnsFromResolvectl('Global:\nLink 2 (enp4s0): 192.168.2.254 8.8.8.8\n', 'Global:\nLink 2 (enp4s0): plant.local ~.\n')).toEqual({ servers: ['192.168.2.254', '8.8.8.8'], search: ['plant.local'] });
    expect(parseResolvConf('# comment\nnameserver 1.1.1.1\nnameserver 9.9.9.9 # x\ndomain a.b\n')).toEqual({ servers: ['1.1.1.1', '9.9.9.9'], search: ['a.b'] });
  });
});

describe('small helpers', () => {
  it('matches netplan name globs', () => {
    expect(globMatches('en*', 'enp4s0')).toBe(true);
    expect(globMatches('eth[0-1]', 'eth1')).toBe(true);
    expect(globMatches('eth[0-1]', 'eth2')).toBe(false);
    expect(globMatches('e?h0', 'eth0')).toBe(true);
  });
  it('parses IPv4 strictly', () => {
    expect(parseIpv4('10.0.0.1')).toBe(167772161);
    expect(parseIpv4('010.0.0.1')).toBeNull();
    expect(parseIpv4('1.2.3')).toBeNull();
    expect(formatIpv4(parseIpv4('255.254.0.9')!)).toBe('255.254.0.9');
    expect(parseIpv4Cidr('10.0.0.1/33')).toBeNull();
  });
  it('tells answered neighbours from failed ones', () => {
    expect(neighAnswered('10.0.0.5 lladdr 02:00:00:00:00:01 REACHABLE')).toBe(true);
    expect(neighAnswered('10.0.0.5 lladdr 02:00:00:00:00:01 STALE')).toBe(true);
    expect(neighAnswered('10.0.0.5 FAILED')).toBe(false);
    expect(neighAnswered('10.0.0.5 INCOMPLETE')).toBe(false);
    expect(neighAnswered('')).toBe(false);
  });
  it('writes a rollback that only the first of cancel and deadline can claim', () => {
    const s = rollbackScript('/var/lib/fieldbench/netplan-backup-x', 120);
    expect(s).toContain('while [ $i -lt 120 ]');
    expect(s.indexOf('mkdir /var/lib/fieldbench/netplan-backup-x/decided')).toBeLessThan(s.indexOf('rm -f'));
  });
});
