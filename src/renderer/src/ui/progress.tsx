import { useId } from 'react';
import { Button } from './button';
import './progress.css';

export interface ProgressProps {
  /** What is happening now, in words ("Signing the intermediate…"). */
  message: string;
  /** 0..1 when known; leave out for work whose length cannot be known (the bar then sweeps). */
  fraction?: number | undefined;
  /** Accessible name of the bar ("Connection test"). */
  label: string;
  /** Shows a Cancel button; the caller asks main to stop (jobs.cancel). */
  onCancel?: () => void;
  /** Disables Cancel while the cancel request is on its way. */
  cancelling?: boolean;
  cancelLabel?: string;
}

/** A progress bar with its message and an optional Cancel button. */
export function Progress({ message, fraction, label, onCancel, cancelling = false, cancelLabel = 'Cancel' }: ProgressProps) {
  const messageId = useId();
  const known = typeof fraction === 'number' && Number.isFinite(fraction);
  const percent = known ? Math.round(Math.min(1, Math.max(0, fraction)) * 100) : undefined;
  return (
    <div className="fb-progress" data-indeterminate={known ? undefined : true}>
      <div className="fb-progress__text">
        {/* Not a live region: steps can change ten times a second; the bar's aria-valuetext carries the message. */}
        <span id={messageId} className="fb-progress__message">
          {message}
        </span>
        {percent !== undefined ? (
          <span className="fb-progress__percent" aria-hidden="true">
            {percent}%
          </span>
        ) : null}
      </div>
      <div
        className="fb-progress__track"
        role="progressbar"
        aria-label={label}
        aria-describedby={messageId}
        aria-valuemin={known ? 0 : undefined}
        aria-valuemax={known ? 100 : undefined}
        aria-valuenow={percent}
        aria-valuetext={percent !== undefined ? `${percent}% — ${message}` : message}
      >
        <div className="fb-progress__bar" style={percent !== undefined ? { width: `${percent}%` } : undefined} />
      </div>
      {onCancel ? (
        <div className="fb-progress__actions">
          <Button variant="secondary" onClick={onCancel} loading={cancelling}>
            {cancelling ? 'Cancelling…' : cancelLabel}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
