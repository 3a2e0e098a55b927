import { forwardRef, type InputHTMLAttributes, type ReactNode } from 'react';
import { FieldLabel, FieldMessages, useFieldIds } from './field';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'size'> {
  label: ReactNode;
  /** Help shown under the control, e.g. the expected format ("192.168.2.196/24"). */
  hint?: ReactNode;
  /** A sentence saying what is wrong and how to fix it; marks the control invalid. */
  error?: ReactNode;
  /** Monospace text for addresses, paths, fingerprints and topics. */
  mono?: boolean;
}

/** A labelled text input with hint and validation message wired through aria-describedby. */
export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { label, hint, error, mono = false, id, className, required, ...rest },
  ref,
) {
  const ids = useFieldIds(id, Boolean(hint), Boolean(error));
  return (
    <div className={className ? `fb-field ${className}` : 'fb-field'}>
      <FieldLabel htmlFor={ids.controlId} required={required}>
        {label}
      </FieldLabel>
      <input
        ref={ref}
        id={ids.controlId}
        className="fb-input"
        data-mono={mono || undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={ids.describedBy}
        required={required}
        spellCheck={mono ? false : undefined}
        autoComplete="off"
        {...rest}
      />
      <FieldMessages hint={hint} error={error} ids={ids} />
    </div>
  );
});
