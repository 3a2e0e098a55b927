import { useMemo, useState, type ReactNode } from 'react';
import { ArrowDown, ArrowUp, ChevronsUpDown } from 'lucide-react';
import './table.css';

export interface TableColumn<T> {
  key: string;
  header: ReactNode;
  /** Cell content; defaults to `String(row[key])`. */
  render?: (row: T) => ReactNode;
  /** Makes the column sortable by this value. */
  sortValue?: (row: T) => string | number;
  align?: 'start' | 'end';
  width?: string;
}

export type SortDirection = 'ascending' | 'descending';

export interface TableProps<T> {
  columns: readonly TableColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** The table's accessible name; shown above it unless `captionHidden`. */
  caption: string;
  captionHidden?: boolean;
  emptyText?: ReactNode;
  initialSort?: { key: string; direction: SortDirection };
  density?: 'comfortable' | 'compact';
}

/**
 * A plain data table. Sortable columns put a button in the header and announce the order with aria-sort.
 * Meant for tens to hundreds of rows; long streams (MQTT messages) use a virtualised list instead.
 */
export function Table<T>({ columns, rows, rowKey, caption, captionHidden = false, emptyText = 'Nothing to show.', initialSort, density = 'comfortable' }: TableProps<T>) {
  const [sort, setSort] = useState(initialSort);

  const sorted = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    if (!sort || !column?.sortValue) return rows;
    const value = column.sortValue;
    const factor = sort.direction === 'ascending' ? 1 : -1;
    return [...rows].sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (typeof va === 'number' && typeof vb === 'number') return (va - vb) * factor;
      return String(va).localeCompare(String(vb), undefined, { numeric: true, sensitivity: 'base' }) * factor;
    });
  }, [rows, columns, sort]);

  const toggle = (key: string) =>
    setSort((prev) => (prev?.key === key && prev.direction === 'ascending' ? { key, direction: 'descending' } : { key, direction: 'ascending' }));

  return (
    <div className="fb-table-wrap">
      <table className="fb-table" data-density={density}>
        <caption className={captionHidden ? 'fb-visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort?.key === c.key;
              const SortIcon = !active ? ChevronsUpDown : sort.direction === 'ascending' ? ArrowUp : ArrowDown;
              return (
                <th
                  key={c.key}
                  scope="col"
                  data-align={c.align}
                  style={c.width ? { width: c.width } : undefined}
                  aria-sort={c.sortValue ? (active ? sort.direction : 'none') : undefined}
                >
                  {c.sortValue ? (
                    <button type="button" className="fb-table__sort" onClick={() => toggle(c.key)}>
                      {c.header}
                      <SortIcon size={14} aria-hidden="true" />
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="fb-table__empty">
                {emptyText}
              </td>
            </tr>
          ) : (
            sorted.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.key} data-align={c.align}>
                    {c.render ? c.render(row) : String((row as Record<string, unknown>)[c.key] ?? '')}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
