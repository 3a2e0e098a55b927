import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { NetworkSnapshot } from '@shared/contract/network-contract';
import { checkSettings, planNetplan } from '../../../src/main/services/network/netplan-plan';
import { findOnPath } from '../../support/edge-host/edge-host-availability';

const eth0 = {
  name: 'enp4s0',
  kind: 'ethernet' as const,
  mac: '00:11:22:33:44:55',
  state: 'UP',
  up: true,
  carrier: true,
  addresses: [{ address: '192.168.2.50', prefix: 24, family: 'inet' as const, dynamic: true, scope: 'global' }],
  hasDefaultRoute: true,
  gateway: '192.168.2.254',
  connectedVia: true,
  configuredBy: [],
};
const wlan = { ...eth0, name: 'wlan0', kind: 'wireless' as const, mac: '00:11:22:33:44:66', addresses: [{ address: '10.0.0.9', prefix: 24, family: 'inet' as const, dynamic: true, scope: 'global' }], hasDefaultRoute: false, connectedVia: false };
const snapshot = (over: Partial<NetworkSnapshot> = {}): NetworkSnapshot => ({
  host: '192.168.2.50',
  hostname: 'edge',
  interfaces: [eth0, wlan, { ...eth0, name: 'lo', kind: 'loopback', addresses: [], connectedVia: false, hasDefaultRoute: false }],
  dns: { servers: [], search: [], source: 'none' },
  netplan: { available: true, readable: true, files: [] },
  ...over,
});
const seed = { interface: 'enp4s0', address: '192.168.2.196/24', gateway: '192.168.2.254', dns: ['8.8.8.8', '8.8.4.4'] };
const codes = (s: Parameters<typeof checkSettings>[0]) => checkSettings(s, snapshot()).map((f) => f.code);

describe('checkSettings', () => {
  it('accepts the seed document\'s settings', () => {
    expect(checkSettings(seed, snapshot())).toEqual([]);
  });
  it.each([
    ['192.168.2.300/24', 'network.badAddress'],
    ['192.168.2.196', 'network.noPrefix'],
    ['192.168.02.196/24', 'network.badAddress'],
    ['fe80::1/64', 'network.ipv6'],
    ['192.168.2.0/24', 'network.networkAddress'],
    ['192.168.2.255/24', 'network.broadcastAddress'],
    ['127.0.0.5/8', 'network.specialAddress'],
    ['192.168.2.196/32', 'network.badPrefix'],
    ['10.0.0.9/24', 'network.duplicateAddress'],
  ])('refuses %s with %s', (address, code) => {
    expect(codes({ ...seed, address, gateway: address.startsWith('10.') ? '10.0.0.1' : seed.gateway })).toContain(code);
  });
  it('refuses a gateway outside the subnet, the address itself, and reserved gateway addresses', () => {
    expect(codes({ ...seed, gateway: '192.168.3.254' })).toEqual(['network.gatewayOutside']);
    expect(codes({ ...seed, gateway: '192.168.2.196' })).toEqual(['network.gatewayIsAddress']);
    expect(codes({ ...seed, gateway: '192.168.2.255' })).toEqual(['network.gatewayReserved']);
    expect(codes({ ...seed, gateway: 'router' })).toEqual(['network.badGateway']);
    const msg = checkSettings({ ...seed, gateway: '192.168.3.254' })[0]!.message;
    expect(msg).toContain('192.168.2.0/24');
  });
  it('checks DNS servers and search domains', () => {
    expect(codes({ ...seed, dns: ['8.8.8.8', '8.8.8.8'] })).toEqual(['network.duplicateDns']);
    expect(codes({ ...seed, dns: ['dns.google'] })).toEqual(['network.badDns']);
    expect(codes({ ...seed, dns: ['2001:4860:4860::8888'] })).toEqual([]);
    expect(codes({ ...seed, search: ['plant.local', 'bad domain'] })).toEqual(['network.badSearch']);
  });
  it('knows the node\'s interfaces', () => {
    expect(codes({ ...seed, interface: 'eth7' })).toEqual(['network.unknownInterface']);
    expect(codes({ ...seed, interface: 'lo' })).toContain('network.loopback');
  });
  it('warns without a gateway but does not refuse', () => {
    const f = checkSettings({ interface: 'enp4s0', address: '192.168.2.196/24' }, snapshot());
    expect(f.map((x) => `${x.severity}:${x.code}`)).toEqual(['warning:network.noGateway']);
  });
});

const CLOUD_INIT = `# This file is generated from information provided by the datasource.
network:
    ethernets:
        enp4s0:
            dhcp4: true
            dhcp6: true
            addresses:
              - 2001:db8::5/64
            gateway4: 192.168.2.1
            routes:
              - to: 10.50.0.0/16
                via: 192.168.2.9
    version: 2
`;
const WIFI = `network:\n  version: 2\n  wifis:\n    wlan0:\n      dhcp4: true\n      access-points:\n        site: {password: "site-wifi-pass"}\n`;

describe('planNetplan', () => {
  const files = [
    { path: '/etc/netplan/50-cloud-init.yaml', text: CLOUD_INIT, mode: '600' },
    { path: '/etc/netplan/60-wifi.yaml', text: WIFI, mode: '600' },
  ];
  const plan = planNetplan({ settings: { ...seed, search: ['plant.local'] }, snapshot: snapshot(), files, host: '192.168.2.50' });

  it('edits only the stanza of the interface in the file that configures it, keeping comments and other keys', () => {
    expect(plan.ok).toBe(true);
    expect(plan.file).toEqual({ path: '/etc/netplan/50-cloud-init.yaml', exists: true });
    expect(plan.keptFiles).toEqual(['/etc/netplan/60-wifi.yaml']);
    expect(plan.yaml.startsWith('# This file is generated')).toBe(true);
    const doc = parse(plan.yaml) as { network: { renderer: string; ethernets: { enp4s0: Record<string, unknown> } } };
    const s = doc.network.ethernets.enp4s0;
    expect(s.dhcp4).toBe(false);
    expect(s.dhcp6).toBe(true);
    expect(s.addresses).toEqual(['192.168.2.196/24', '2001:db8::5/64']);
    expect(s.gateway4).toBeUndefined();
    expect(s.routes).toEqual([{ to: '10.50.0.0/16', via: '192.168.2.9' }, { to: 'default', via: '192.168.2.254' }]);
    expect(s.nameservers).toEqual({ addresses: ['8.8.8.8', '8.8.4.4'], search: ['plant.local'] });
    expect(doc.network.renderer).toBe('networkd');
    expect(plan.newHost).toBe('192.168.2.196');
    expect(plan.changes).toContain('enp4s0: DHCP for IPv4 off');
  });

  it('shows a unified diff against the current file', () => {
    expect(plan.diff).toContain('--- /etc/netplan/50-cloud-init.yaml');
    expect(plan.diff).toContain('-            dhcp4: true');
    expect(plan.diff).toContain('-            gateway4: 192.168.2.1');
  });

  it('writes the seed\'s 01-netcfg.yaml when no file configures the interface', () => {
    const p = planNetplan({ settings: seed, snapshot: snapshot(), files: [], host: '192.168.2.50' });
    expect(p.file).toEqual({ path: '/etc/netplan/01-netcfg.yaml', exists: false });
    expect(parse(p.yaml)).toEqual({
      network: {
        version: 2,
        renderer: 'networkd',
        ethernets: { enp4s0: { dhcp4: false, addresses: ['192.168.2.196/24'], routes: [{ to: 'default', via: '192.168.2.254' }], nameservers: { addresses: ['8.8.8.8', '8.8.4.4'] } } },
      },
    });
  });

  it('keeps DNS when the form leaves it out, and says when nothing changes', () => {
    const current = { path: '/etc/netplan/01-netcfg.yaml', text: planNetplan({ settings: seed, snapshot: snapshot(), files: [], host: 'x' }).yaml };
    const same = planNetplan({ settings: { interface: 'enp4s0', address: '192.168.2.196/24', gateway: '192.168.2.254' }, snapshot: snapshot(), files: [current], host: '192.168.2.50' });
    expect(same.yaml).toBe(current.text);
    expect(same.findings.map((f) => f.code)).toEqual(['network.noChange']);
  });

  it('refuses to plan when the netplan files could not be read', () => {
    const p = planNetplan({ settings: seed, snapshot: snapshot({ netplan: { available: true, readable: false, files: [], note: 'fbnosudo may not use sudo.' } }), files: null, host: '192.168.2.50' });
    expect(p.ok).toBe(false);
    expect(p.findings.find((f) => f.code === 'network.netplanUnreadable')?.message).toContain('may not use sudo');
  });

  it('edits a match rule in place and warns that it may cover other interfaces', () => {
    const text = 'network:\n  version: 2\n  ethernets:\n    lan:\n      match:\n        name: enp*\n      dhcp4: true\n';
    const p = planNetplan({ settings: seed, snapshot: snapshot(), files: [{ path: '/etc/netplan/10-lan.yaml', text }], host: '192.168.2.50' });
    expect(p.findings.map((f) => f.code)).toContain('network.matchStanza');
    expect((parse(p.yaml) as { network: { ethernets: Record<string, { dhcp4: boolean; match: unknown }> } }).network.ethernets.lan).toMatchObject({ dhcp4: false, match: { name: 'enp*' } });
  });

  // The rendered file must be something the real netplan accepts, not only what this test expects.
  it.skipIf(!findOnPath('netplan'))('renders files the real netplan generate accepts', () => {
    const root = mkdtempSync(join(tmpdir(), 'fb-netplan-'));
    try {
      mkdirSync(join(root, 'etc/netplan'), { recursive: true });
      for (const f of [...files.filter((x) => x.path !== plan.file.path), { path: plan.file.path, text: plan.yaml }]) {
        writeFileSync(join(root, f.path), f.text, { mode: 0o600 });
      }
      execFileSync('netplan', ['generate', '--root-dir', root], { stdio: 'pipe' });
      const unit = execFileSync('cat', [join(root, 'run/systemd/network/10-netplan-enp4s0.network')], { encoding: 'utf8' });
      expect(unit).toContain('Address=192.168.2.196/24');
      expect(unit).toContain('Gateway=192.168.2.254');
      expect(unit).not.toContain('DHCP=ipv4');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
