import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/react';
import { StatusBadge, STATUS_LOOKS, type Status } from '../../../src/renderer/src/ui/status-badge';

afterEach(cleanup);

describe('StatusBadge', () => {
  it('never relies on colour alone: every status has its own words and an icon', () => {
    const statuses = Object.keys(STATUS_LOOKS) as Status[];
    expect(statuses.sort()).toEqual(['error', 'expired', 'expiring', 'ok', 'revoked', 'unknown', 'valid', 'warning']);
    const labels = new Set<string>();
    for (const status of statuses) {
      const { container, unmount } = render(<StatusBadge status={status} />);
      const text = container.textContent ?? '';
      expect(text.length).toBeGreaterThan(0);
      labels.add(text);
      expect(container.querySelector('svg[aria-hidden="true"]')).not.toBeNull();
      unmount();
    }
    expect(labels.size).toBe(statuses.length);
  });

  it('takes a specific label and keeps the icon', () => {
    const { container } = render(<StatusBadge status="expiring" label="Expires in 12 days" />);
    expect(container.textContent).toBe('Expires in 12 days');
    expect(container.querySelector('svg')).not.toBeNull();
  });
});
