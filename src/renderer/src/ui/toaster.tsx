import { createPortal } from 'react-dom';
import { ChevronRight, CircleCheck, CircleX, Info, TriangleAlert, X } from 'lucide-react';
import { Button } from './button';
import { useToastStore, type Toast, type ToastKind } from './use-toast-store';
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
  return createPortal(
    <section className="fb-toaster" aria-label="Notifications" data-fb-layer="toaster">
      {toasts.map((t) => (
        <ToastCard key={t.id} toast={t} />
      ))}
    </section>,
    document.body,
  );
}
