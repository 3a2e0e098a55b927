import { useId, type ReactNode } from 'react';
import { CircleAlert } from 'lucide-react';
import './field.css';

/** The ids that tie a control to its label, hint and validation message. */
export interface FieldIds {
  controlId: string;
  hintId: string | undefined;
  errorId: string | undefined;
  /** Ready for `aria-describedby`: the error first, so screen readers say what is wrong before the hint. */
  describedBy: string | undefined;
}

/** Builds the ids for a labelled control; `id` wins when the caller needs a fixed one. */
export function useFieldIds(id: string | undefined, hasHint: boolean, hasError: boolean): FieldIds {
  const generated = useId();
  const controlId = id ?? `fb-field-${generated}`;
  const hintId = hasHint ? `${controlId}-hint` : undefined;
  const errorId = hasError ? `${controlId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return { controlId, hintId, errorId, describedBy };
}

export interface FieldMessagesProps {
  hint?: ReactNode;
  error?: ReactNode;
  ids: FieldIds;
}

/** Hint and validation message under a control. The message is text and an icon, never colour alone. */
export function FieldMessages({ hint, error, ids }: FieldMessagesProps) {
  return (
    <>
      {error ? (
        <p id={ids.errorId} className="fb-field__error">
          <CircleAlert size={14} aria-hidden="true" />
          <span>{error}</span>
        </p>
      ) : null}
      {hint ? (
        <p id={ids.hintId} className="fb-field__hint">
          {hint}
        </p>
      ) : null}
    </>
  );
}

export interface FieldLabelProps {
  htmlFor: string;
  required?: boolean | undefined;
  children: ReactNode;
}

export function FieldLabel({ htmlFor, required, children }: FieldLabelProps) {
  return (
    <label htmlFor={htmlFor} className="fb-field__label">
      {children}
      {required ? (
        <span className="fb-field__required" aria-hidden="true">
          *
        </span>
      ) : null}
    </label>
  );
}
