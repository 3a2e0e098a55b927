import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { Table, type TableColumn } from '../../../src/renderer/src/ui/table';

interface Cert {
  name: string;
  days: number;
}
const rows: Cert[] = [
  { name: 'client42b', days: 400 },
  { name: 'broker-server', days: 17 },
  { name: 'client42a', days: -300 },
  { name: 'client10', days: 90 },
];
const columns: TableColumn<Cert>[] = [
  { key: 'name', header: 'Name', sortValue: (r) => r.name },
  { key: 'days', header: 'Days left', sortValue: (r) => r.days, align: 'end' },
  { key: 'note', header: 'Note', render: () => '—' },
];

afterEach(cleanup);

const names = () =>
  screen
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getAllByRole('cell')[0]?.textContent);

describe('Table', () => {
  it('sorts by a column header, toggling the direction, and announces it with aria-sort', () => {
    render(<Table caption="Certificates" columns={columns} rows={rows} rowKey={(r) => r.name} />);
    expect(screen.getByRole('table', { name: 'Certificates' })).toBeTruthy();
    expect(names()).toEqual(['client42b', 'broker-server', 'client42a', 'client10']);

    const daysHeader = screen.getByRole('columnheader', { name: /Days left/ });
    expect(daysHeader.getAttribute('aria-sort')).toBe('none');
    fireEvent.click(within(daysHeader).getByRole('button'));
    expect(daysHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(names()).toEqual(['client42a', 'broker-server', 'client10', 'client42b']);
    fireEvent.click(within(daysHeader).getByRole('button'));
    expect(daysHeader.getAttribute('aria-sort')).toBe('descending');
    expect(names()).toEqual(['client42b', 'client10', 'broker-server', 'client42a']);

    // Names sort numeric-aware, the way people count: client10 before client42a.
    fireEvent.click(within(screen.getByRole('columnheader', { name: /Name/ })).getByRole('button'));
    expect(names()).toEqual(['broker-server', 'client10', 'client42a', 'client42b']);
    expect(daysHeader.getAttribute('aria-sort')).toBe('none');
    expect(screen.getByRole('columnheader', { name: 'Note' }).hasAttribute('aria-sort')).toBe(false);
  });

  it('says so when there are no rows', () => {
    render(<Table caption="Certificates" columns={columns} rows={[]} rowKey={(r) => r.name} emptyText="No certificates yet." />);
    expect(screen.getByText('No certificates yet.')).toBeTruthy();
  });
});
