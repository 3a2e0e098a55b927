import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Toaster } from '../../../src/renderer/src/ui/toaster';
import { useToastStore } from '../../../src/renderer/src/ui/use-toast-store';

beforeEach(() => useToastStore.getState().clear());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('Toaster', () => {
  it('shows an error’s message and hides its detail behind a Details disclosure', () => {
    render(<Toaster />);
    act(() => {
      useToastStore.getState().pushError('Could not reach the node', {
        code: 'edge.unreachable',
        message: 'The node did not answer on 192.168.2.196:22. Check the cable and that sshd runs.',
        detail: 'ECONNREFUSED 192.168.2.196:22',
      });
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Could not reach the node');
    expect(alert.textContent).toContain('The node did not answer on 192.168.2.196:22.');
    const details = alert.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(screen.getByText('Details').tagName).toBe('SUMMARY');
    expect(details.textContent).toContain('ECONNREFUSED 192.168.2.196:22');
  });

  it('keeps errors until dismissed, lets other kinds go by themselves', () => {
    vi.useFakeTimers();
    render(<Toaster />);
    act(() => {
      useToastStore.getState().push({ kind: 'success', title: 'Certificate issued' });
      useToastStore.getState().pushError('Apply failed', { code: 'x', message: 'Kubernetes answered 403.' });
    });
    act(() => vi.advanceTimersByTime(60_000));
    expect(screen.queryByText('Certificate issued')).toBeNull();
    expect(screen.getByText('Apply failed')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: Apply failed' }));
    expect(screen.queryByText('Apply failed')).toBeNull();
  });
});
