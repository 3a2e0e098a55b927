import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Progress } from '../../../src/renderer/src/ui/progress';

afterEach(cleanup);

describe('Progress', () => {
  it('calls back when Cancel is pressed', () => {
    const onCancel = vi.fn();
    render(<Progress label="Creating RSA 4096 key" message="Generating the key…" fraction={0.4} onCancel={onCancel} />);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('reports a known fraction as a percentage with the message', () => {
    render(<Progress label="Connection test" message="Step 8 of 20" fraction={0.35} />);
    const bar = screen.getByRole('progressbar', { name: 'Connection test' });
    expect(bar.getAttribute('aria-valuenow')).toBe('35');
    expect(bar.getAttribute('aria-valuetext')).toBe('35% — Step 8 of 20');
    expect(screen.getByText('35%')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('is indeterminate when the fraction is unknown', () => {
    render(<Progress label="Waiting for the proxy" message="Waiting for “Proxy is listening”…" />);
    const bar = screen.getByRole('progressbar');
    expect(bar.hasAttribute('aria-valuenow')).toBe(false);
    expect(bar.getAttribute('aria-valuetext')).toBe('Waiting for “Proxy is listening”…');
  });

  it('blocks a second cancel while one is on its way', () => {
    const onCancel = vi.fn();
    render(<Progress label="x" message="Cancelling" fraction={0.5} onCancel={onCancel} cancelling />);
    const button = screen.getByRole('button', { name: /Cancelling/ });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(button);
    expect(onCancel).not.toHaveBeenCalled();
  });
});
