import { useLayoutEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { ChevronRight, CircleCheck, CircleX, Info, TriangleAlert, X } from 'lucide-react';
import { Button } from './button';
import { useToastStore, type Toast, type ToastKind } from './use-toast-store';
import { TOAST_PLACEMENTS, choosePlacement, primaryActionBoxes, type Box, type ToastPlacement } from './toast-placement';
import './toaster.css';

const ICONS: Record<ToastKind, typeof Info> = { success: CircleCheck, info: Info, warning: TriangleAlert, error: CircleX };
const KIND_LABEL: Record<ToastKind, string> = { success: 'Done', info: 'Note', warning: 'Warning', error: 'Error' };

function ToastCard({ toast }: { toast: Toast }) {
  const dismiss = useToastStore((s) => s.dismiss);
  const Icon = ICONS[toast.kind];
  return (
    // Errors interrupt (role=alert); everything else waits for the screen reader to finish (status).
    <div className="fb-toast" data-kind={toast.kind} role={toast.kind === 'error' ? 'alert' : 'status'}>
      <span className="fb-toast__icon">
        <Icon size={20} aria-hidden="true" />
      </span>
      <div className="fb-toast__content">
        <p className="fb-toast__title">
          <span className="fb-visually-hidden">{KIND_LABEL[toast.kind]}: </span>
          {toast.title}
        </p>
        {toast.message ? <p className="fb-toast__message">{toast.message}</p> : null}
        {toast.detail ? (
          <details className="fb-toast__details">
            <summary>
              <ChevronRight size={16} aria-hidden="true" className="fb-toast__chevron" />
              Details
            </summary>
            <pre>{toast.detail}</pre>
          </details>
        ) : null}
      </div>
      <Button variant="ghost" size="sm" iconOnly aria-label={`Dismiss: ${toast.title}`} icon={<X size={18} />} onClick={() => dismiss(toast.id)} />
    </div>
  );
}

/** Renders the toast stack; mount once at the app root. It stays usable while a dialog is open. */
export function Toaster() {
  const toasts = useToastStore((s) => s.toasts);
  const ref = useRef<HTMLElement>(null);

  // Measured in the layout phase, before paint, so the stack never shows over a button for a frame. The page
  // changes under a toast (a dialog opens, a list loads), so it is measured again while any is shown.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || toasts.length === 0) return;
    const place = () => {
      const obstacles = primaryActionBoxes();
      const boxes = new Map<ToastPlacement, Box>();
      for (const p of TOAST_PLACEMENTS) {
        el.dataset.placement = p;
        boxes.set(p, el.getBoundingClientRect());
      }
      el.dataset.placement = choosePlacement(boxes, obstacles);
    };
    place();
    const timer = setInterval(place, 400);
    window.addEventListener('resize', place);
    return () => {
      clearInterval(timer);
      window.removeEventListener('resize', place);
    };
  }, [toasts]);

  return createPortal(
    <section ref={ref} className="fb-toaster" aria-label="Notifications" data-fb-layer="toaster" data-placement="top-right">
      {toasts.map((t) => (
        <ToastCard key={t.id} toast={t} />
      ))}
    </section>,
    document.body,
  );
}
