import type { InterfaceInfo, NetworkSnapshot } from '@shared/contract/network-contract';
import { Badge, StatusBadge, Table, type TableColumn } from '../../ui';

function stateOf(i: InterfaceInfo) {
  if (!i.up) return <StatusBadge status="unknown" label="Down (off)" />;
  if (i.kind !== 'loopback' && !i.carrier) return <StatusBadge status="error" label="No link" title="No cable or peer detected (no carrier)." />;
  return <StatusBadge status="ok" label={i.kind === 'loopback' ? 'Up' : 'Up, link'} />;
}

const COLUMNS: TableColumn<InterfaceInfo>[] = [
  {
    key: 'name',
    header: 'Interface',
    sortValue: (i) => i.name,
    render: (i) => (
      <span className="fb-net-iface">
        <span className="fb-net-mono">{i.name}</span>
        <span className="fb-net-muted">{i.kind}</span>
        {i.connectedVia ? <Badge tone="info">This SSH session</Badge> : null}
      </span>
    ),
  },
  { key: 'state', header: 'State', render: stateOf },
  {
    key: 'addresses',
    header: 'Addresses',
    render: (i) =>
      i.addresses.length === 0 ? (
        <span className="fb-net-muted">none</span>
      ) : (
        <ul className="fb-net-addresses">
          {i.addresses.map((a) => (
            <li key={`${a.address}/${a.prefix}`}>
              <span className="fb-net-mono">
                {a.address}/{a.prefix}
              </span>{' '}
              {a.dynamic ? <Badge tone="warning">DHCP</Badge> : a.family === 'inet' ? <Badge>static</Badge> : null}
            </li>
          ))}
        </ul>
      ),
  },
  {
    key: 'route',
    header: 'Default route',
    render: (i) => (i.hasDefaultRoute ? <span className="fb-net-mono">via {i.gateway ?? '?'}</span> : <span className="fb-net-muted">—</span>),
  },
  {
    key: 'netplan',
    header: 'netplan',
    render: (i) =>
      i.configuredBy.length === 0 ? (
        <span className="fb-net-muted">not configured</span>
      ) : (
        <span className="fb-net-mono">
          {i.configuredBy.at(-1)}
          {i.dhcp4 ? ' (DHCP)' : ''}
        </span>
      ),
  },
];

/** The node's interfaces as discovered: state, carrier, addresses, DHCP, default route and the file that configures each. */
export function InterfaceTable({ snapshot }: { snapshot: NetworkSnapshot }) {
  return <Table caption="Interfaces" captionHidden columns={COLUMNS} rows={snapshot.interfaces} rowKey={(i) => i.name} density="compact" emptyText="The node reported no interfaces." />;
}
