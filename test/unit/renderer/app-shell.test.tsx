import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';

vi.mock('../../../src/renderer/src/bridge', () => import('./fake-bridge'));

const fake = await import('./fake-bridge');
const { App } = await import('../../../src/renderer/src/app/App');
const { useNavigationStore } = await import('../../../src/renderer/src/core/use-navigation-store');
const { useToastStore } = await import('../../../src/renderer/src/ui/use-toast-store');

const AREA_NAMES = ['Vault & PKI', 'Edge nodes', 'Network', 'MQTT', 'Runbooks', 'Exports'];

beforeEach(() => {
  fake.resetFake();
  useNavigationStore.getState().go('vault');
  useToastStore.getState().clear();
});
afterEach(cleanup);

describe('the shell', () => {
  it('lists the six areas as buttons named exactly after them', () => {
    render(<App />);
    const nav = screen.getByRole('navigation', { name: 'Areas' });
    expect(within(nav).getAllByRole('button').map((b) => b.textContent?.replace(/Ctrl\+\d$/, ''))).toEqual(AREA_NAMES);
    for (const name of AREA_NAMES) expect(within(nav).getByRole('button', { name })).toBeTruthy();
  });

  it('switches areas: each shows its own <h1> and the nav marks it as the current page', () => {
    render(<App />);
    for (const name of AREA_NAMES) {
      fireEvent.click(screen.getByRole('button', { name }));
      expect(screen.getByRole('heading', { level: 1, name })).toBeTruthy();
      expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
      expect(screen.getByRole('button', { name }).getAttribute('aria-current')).toBe('page');
      const current = screen.getAllByRole('button').filter((b) => b.getAttribute('aria-current') === 'page');
      expect(current).toHaveLength(1);
    }
    expect(window.location.hash).toBe('#/exports');
  });

  it('switches areas with Ctrl+1..6', () => {
    render(<App />);
    fireEvent.keyDown(window, { key: '4', ctrlKey: true });
    expect(screen.getByRole('heading', { level: 1, name: 'MQTT' })).toBeTruthy();
    fireEvent.keyDown(window, { key: '3', ctrlKey: true });
    expect(screen.getByRole('heading', { level: 1, name: 'Network' })).toBeTruthy();
    fireEvent.keyDown(window, { key: '2' });
    expect(screen.getByRole('heading', { level: 1, name: 'Network' })).toBeTruthy();
  });

  it('shows version, transport and data folder from app.info in the status bar', async () => {
    render(<App />);
    const status = screen.getByRole('contentinfo', { name: 'Status' });
    expect(await within(status).findByText('v9.8.7')).toBeTruthy();
    expect(within(status).getByText('Desktop')).toBeTruthy();
    expect(within(status).getByText('/home/tech/.fieldbench')).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'app.info')).toBe(true);
  });

  it('says when Fieldbench cannot be reached, and retries', async () => {
    fake.answer('app.info', () => ({ ok: false, error: { code: 'transport.unreachable', message: 'Fieldbench is not reachable.' } }));
    render(<App />);
    expect(await screen.findByText('Not connected to Fieldbench')).toBeTruthy();
    fake.answer('app.info', () => ({ ok: true, value: fake.DEFAULT_INFO }));
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('v9.8.7')).toBeTruthy();
  });

  it('turns main’s notices into toasts', async () => {
    render(<App />);
    act(() => fake.emit('app.onNotice', { level: 'warning', message: 'The vault locked itself after 10 minutes without use.' }));
    expect(await screen.findByText('The vault locked itself after 10 minutes without use.')).toBeTruthy();
  });

  it('switches the theme on <html>', () => {
    render(<App />);
    fireEvent.click(screen.getByRole('button', { name: 'Dark theme' }));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(screen.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Light theme' }));
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});
