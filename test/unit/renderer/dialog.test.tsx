import { afterEach, describe, expect, it } from 'vitest';
import { useState } from 'react';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Dialog } from '../../../src/renderer/src/ui/dialog';
import { Button } from '../../../src/renderer/src/ui/button';
import { TextField } from '../../../src/renderer/src/ui/text-field';

function Harness({ closeOnBackdrop }: { closeOnBackdrop?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <div data-testid="app">
      <Button onClick={() => setOpen(true)}>Add node</Button>
      <Button>Elsewhere</Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Add an edge node"
        description="Host and user for SSH."
        closeOnBackdrop={closeOnBackdrop}
        footer={
          <>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="primary">Save</Button>
          </>
        }
      >
        <TextField label="Host" />
        <TextField label="User" />
      </Dialog>
    </div>
  );
}

afterEach(cleanup);

function openDialog() {
  const opener = screen.getByRole('button', { name: 'Add node' });
  opener.focus();
  fireEvent.click(opener);
  return { opener, dialog: screen.getByRole('dialog', { name: 'Add an edge node' }) };
}

describe('Dialog', () => {
  it('is a labelled modal that takes focus to its first field', () => {
    render(<Harness />);
    const { dialog } = openDialog();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toBe('Host and user for SSH.');
    expect(document.activeElement).toBe(screen.getByLabelText('Host'));
  });

  it('closes on Escape and gives focus back to the button that opened it', () => {
    render(<Harness />);
    const { opener } = openDialog();
    fireEvent.keyDown(screen.getByLabelText('User'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('keeps Tab and Shift+Tab inside the dialog', () => {
    render(<Harness />);
    openDialog();
    const save = screen.getByRole('button', { name: 'Save' });
    const close = screen.getByRole('button', { name: 'Close' });
    save.focus();
    fireEvent.keyDown(save, { key: 'Tab' });
    expect(document.activeElement).toBe(close);
    fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(save);
  });

  it('makes the page behind it inert while open and restores it after', () => {
    render(<Harness />);
    const appRoot = screen.getByTestId('app').parentElement!;
    openDialog();
    expect(appRoot.hasAttribute('inert')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(appRoot.hasAttribute('inert')).toBe(false);
  });

  it('closes on a backdrop click unless told not to', () => {
    const { unmount } = render(<Harness />);
    openDialog();
    fireEvent.mouseDown(document.querySelector('.fb-dialog-backdrop')!);
    expect(screen.queryByRole('dialog')).toBeNull();
    unmount();

    render(<Harness closeOnBackdrop={false} />);
    openDialog();
    fireEvent.mouseDown(document.querySelector('.fb-dialog-backdrop')!);
    expect(screen.getByRole('dialog')).toBeTruthy();
  });
});
