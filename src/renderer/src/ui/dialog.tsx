import { useEffect, useId, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import { X } from 'lucide-react';
import { Button } from './button';
import { rememberFocus, restoreFocus } from './focus-return';
import './dialog.css';

export interface DialogProps {
  open: boolean;
  /** Called on Esc, the close button and (unless disabled) a click on the backdrop. */
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  /** Buttons at the bottom, e.g. Cancel and the primary action. */
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  /** Where focus goes on open; defaults to the first focusable element of the body, then the close button. */
  initialFocusRef?: RefObject<HTMLElement | null>;
  /** Wizards with typed-in data turn this off so a stray tap beside the dialog loses nothing. */
  closeOnBackdrop?: boolean;
}

/** Open dialogs, oldest first: Esc from outside any of them closes only the one on top. */
const openDialogs: object[] = [];

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  'summary',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

function focusableIn(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.closest('[inert]') && !el.hidden);
}

/**
 * A modal dialog rendered in a portal. Focus moves in on open, Tab and Shift+Tab stay inside, Esc closes,
 * and focus returns to what had it before. Everything else on the page is made inert while it is open,
 * except the toasts (marked data-fb-layer) so an error raised by the dialog's own action can be read.
 */
export function Dialog({ open, onClose, title, description, children, footer, size = 'md', initialFocusRef, closeOnBackdrop = true }: DialogProps) {
  const titleId = useId();
  const descriptionId = useId();
  const layerRef = useRef<HTMLDivElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });
  const stackEntry = useRef<object>({});

  useLayoutEffect(() => {
    if (!open) return;
    const opener = rememberFocus();
    const entry = stackEntry.current;
    openDialogs.push(entry);

    const layer = layerRef.current;
    const madeInert: HTMLElement[] = [];
    for (const el of Array.from(document.body.children)) {
      if (el === layer || !(el instanceof HTMLElement) || el.hasAttribute('data-fb-layer') || el.hasAttribute('inert')) continue;
      el.setAttribute('inert', '');
      madeInert.push(el);
    }

    const target = initialFocusRef?.current ?? (bodyRef.current && focusableIn(bodyRef.current)[0]) ?? closeRef.current ?? dialogRef.current;
    target?.focus();

    return () => {
      openDialogs.splice(openDialogs.indexOf(entry), 1);
      for (const el of madeInert) el.removeAttribute('inert');
      // A dialog closing above another hands focus back inside the one below (its opener lives there).
      restoreFocus(opener);
    };
    // Focus is taken once per opening, not on every re-render of the caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  // A click outside the dialog can still move focus out (e.g. on a toast); bring it back on the next Tab.
  useEffect(() => {
    if (!open) return;
    const onFocusIn = (event: FocusEvent) => {
      const dialog = dialogRef.current;
      const target = event.target as Node | null;
      if (!dialog || !target || dialog.contains(target)) return;
      if (target instanceof Element && target.closest('[data-fb-layer]')) return;
      dialog.focus();
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, [open]);

  // Esc must work wherever focus is. When the focused control is replaced while the dialog is open (the
  // self-test's button becomes a progress bar, a Save button turns into a spinner), the browser moves focus
  // to <body>, outside the dialog's own key handler; this listener still closes the topmost dialog then.
  useEffect(() => {
    if (!open) return;
    const onDocumentKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.defaultPrevented || openDialogs[openDialogs.length - 1] !== stackEntry.current) return;
      const dialog = dialogRef.current;
      const active = document.activeElement;
      if (dialog && active && (dialog.contains(active) || active.closest('[data-fb-layer]'))) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        onCloseRef.current();
      } else if (event.key === 'Tab' && dialog) {
        event.preventDefault();
        (focusableIn(dialog)[0] ?? dialog).focus();
      }
    };
    document.addEventListener('keydown', onDocumentKeyDown);
    return () => document.removeEventListener('keydown', onDocumentKeyDown);
  }, [open]);

  if (!open) return null;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      event.preventDefault();
      onClose();
      return;
    }
    if (event.key !== 'Tab' || !dialogRef.current) return;
    const focusables = focusableIn(dialogRef.current);
    const first = focusables[0];
    const last = focusables[focusables.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === dialogRef.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="fb-dialog-layer" ref={layerRef}>
      <div className="fb-dialog-backdrop" aria-hidden="true" onMouseDown={closeOnBackdrop ? () => onClose() : undefined} />
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        className="fb-dialog"
        data-size={size}
        onKeyDown={onKeyDown}
      >
        <div className="fb-dialog__header">
          <div className="fb-dialog__titles">
            <h2 id={titleId} className="fb-dialog__title">
              {title}
            </h2>
            {description ? (
              <p id={descriptionId} className="fb-dialog__description">
                {description}
              </p>
            ) : null}
          </div>
          <Button ref={closeRef} variant="ghost" iconOnly aria-label="Close" icon={<X size={20} />} onClick={() => onClose()} />
        </div>
        <div ref={bodyRef} className="fb-dialog__body">
          {children}
        </div>
        {footer ? <div className="fb-dialog__footer">{footer}</div> : null}
      </div>
    </div>,
    document.body,
  );
}
