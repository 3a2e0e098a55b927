import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Tabs } from '../../../src/renderer/src/ui/tabs';

const items = [
  { id: 'subject', label: 'Subject', content: <p>Subject panel</p> },
  { id: 'sans', label: 'SANs', content: <p>SANs panel</p> },
  { id: 'disabled', label: 'Raw', content: <p>Raw panel</p>, disabled: true },
  { id: 'chain', label: 'Chain', content: <p>Chain panel</p> },
];

afterEach(cleanup);

describe('Tabs', () => {
  it('exposes tablist, tabs and the selected panel with their ARIA links', () => {
    render(<Tabs label="Certificate details" items={items} />);
    expect(screen.getByRole('tablist', { name: 'Certificate details' })).toBeTruthy();
    const subject = screen.getByRole('tab', { name: 'Subject' });
    expect(subject.getAttribute('aria-selected')).toBe('true');
    expect(subject.tabIndex).toBe(0);
    expect(screen.getByRole('tab', { name: 'SANs' }).tabIndex).toBe(-1);
    const panel = screen.getByRole('tabpanel');
    expect(panel.getAttribute('aria-labelledby')).toBe(subject.id);
    expect(subject.getAttribute('aria-controls')).toBe(panel.id);
    expect(panel.textContent).toBe('Subject panel');
  });

  it('moves and selects with the arrow keys, skips disabled tabs and wraps around', () => {
    const onChange = vi.fn();
    render(<Tabs label="Certificate details" items={items} onChange={onChange} />);
    const subject = screen.getByRole('tab', { name: 'Subject' });
    subject.focus();

    fireEvent.keyDown(subject, { key: 'ArrowRight' });
    const sans = screen.getByRole('tab', { name: 'SANs' });
    expect(document.activeElement).toBe(sans);
    expect(sans.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel').textContent).toBe('SANs panel');

    fireEvent.keyDown(sans, { key: 'ArrowRight' });
    const chain = screen.getByRole('tab', { name: 'Chain' });
    expect(document.activeElement).toBe(chain);
    expect(screen.getByRole('tabpanel').textContent).toBe('Chain panel');

    fireEvent.keyDown(chain, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(subject);

    fireEvent.keyDown(subject, { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(chain);

    expect(onChange.mock.calls.map((c) => c[0])).toEqual(['sans', 'chain', 'subject', 'chain']);
  });

  it('jumps to the ends with Home and End and keeps one tab in the Tab order', () => {
    render(<Tabs label="Certificate details" items={items} defaultValue="sans" />);
    const sans = screen.getByRole('tab', { name: 'SANs' });
    sans.focus();
    fireEvent.keyDown(sans, { key: 'End' });
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Chain' }));
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Subject' }));
    const inTabOrder = screen.getAllByRole('tab').filter((t) => t.tabIndex === 0);
    expect(inTabOrder.map((t) => t.textContent)).toEqual(['Subject']);
  });

  it('leaves keys other than arrows, Home and End alone', () => {
    render(<Tabs label="Certificate details" items={items} />);
    const subject = screen.getByRole('tab', { name: 'Subject' });
    subject.focus();
    fireEvent.keyDown(subject, { key: 'ArrowDown' });
    fireEvent.keyDown(subject, { key: 'a' });
    expect(subject.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(subject);
  });
});
