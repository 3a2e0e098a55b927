import { afterEach, describe, expect, it } from 'vitest';
import { useState } from 'react';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Dialog } from '../../../../src/renderer/src/ui/dialog';
import { Button } from '../../../../src/renderer/src/ui/button';

afterEach(cleanup);

// Issue 14: "Esc stops working in 'Check this machine' after its self-test" — the test's button is replaced
// by a progress bar while it has focus, so focus falls to <body>, outside the dialog's key handler.
function SelfTestHarness() {
  const [open, setOpen] = useState(true);
  const [running, setRunning] = useState(false);
  return (
    <Dialog open={open} onClose={() => setOpen(false)} title="Check this machine">
      {running ? <p>Testing…</p> : <Button onClick={() => setRunning(true)}>Test the connection</Button>}
    </Dialog>
  );
}

// "Focus falls to the page after any dialog closes": the opener is re-rendered away while the dialog is open.
function ReplacedOpenerHarness() {
  const [open, setOpen] = useState(false);
  const [nodes, setNodes] = useState(0);
  return (
    <main>
      <h1>Edge nodes</h1>
      {nodes === 0 ? (
        <section aria-label="No edge nodes yet">
          <Button onClick={() => setOpen(true)}>Add a node</Button>
        </section>
      ) : (
        <header>
          <Button onClick={() => setOpen(true)}>Add a node</Button>
        </header>
      )}
      <Dialog open={open} onClose={() => setOpen(false)} title="Add an edge node">
        <Button
          onClick={() => {
            setNodes((n) => n + 1);
            setOpen(false);
          }}
        >
          Add node
        </Button>
      </Dialog>
    </main>
  );
}

function NestedHarness() {
  const [outer, setOuter] = useState(true);
  const [inner, setInner] = useState(true);
  return (
    <>
      <Dialog open={outer} onClose={() => setOuter(false)} title="Edit edge-01">
        <Button>Save changes</Button>
      </Dialog>
      <Dialog open={inner} onClose={() => setInner(false)} title="Trust this host key?">
        <Button>Trust</Button>
      </Dialog>
    </>
  );
}

describe('dialogs and focus', () => {
  it('Esc still closes a dialog after the focused control was replaced', () => {
    render(<SelfTestHarness />);
    const button = screen.getByRole('button', { name: 'Test the connection' });
    button.focus();
    fireEvent.click(button);
    expect(document.activeElement).toBe(document.body);
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('Tab from a lost focus goes back into the dialog, not to the page behind it', () => {
    render(<SelfTestHarness />);
    const button = screen.getByRole('button', { name: 'Test the connection' });
    button.focus();
    fireEvent.click(button);
    fireEvent.keyDown(document.body, { key: 'Tab' });
    expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true);
  });

  it('gives focus back to the control that stands for the opener when the opener was re-rendered away', () => {
    render(<ReplacedOpenerHarness />);
    const opener = screen.getByRole('button', { name: 'Add a node' });
    opener.focus();
    fireEvent.click(opener);
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Add node' })));
    expect(screen.queryByRole('dialog')).toBeNull();
    const now = screen.getByRole('button', { name: 'Add a node' });
    expect(now).not.toBe(opener);
    expect(document.activeElement).toBe(now);
  });

  it('Esc from outside closes only the dialog on top', () => {
    render(<NestedHarness />);
    (document.activeElement as HTMLElement | null)?.blur();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog', { name: 'Trust this host key?' })).toBeNull();
    expect(screen.getByRole('dialog', { name: 'Edit edge-01' })).toBeTruthy();
  });
});
