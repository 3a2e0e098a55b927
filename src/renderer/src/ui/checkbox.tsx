import { forwardRef, type InputHTMLAttributes, type ReactNode } from 'react';
import { FieldMessages, useFieldIds } from './field';

export interface CheckboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'size'> {
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
}

/** A checkbox whose label is part of the hit target, with hint and validation message. */
export const Checkbox = forwardRef<HTMLInputElement, CheckboxProps>(function Checkbox({ label, hint, error, id, className, ...rest }, ref) {
  const ids = useFieldIds(id, Boolean(hint), Boolean(error));
  return (
    <div className={className ? `fb-checkbox ${className}` : 'fb-checkbox'}>
      <span className="fb-checkbox__control">
        <input
          ref={ref}
          id={ids.controlId}
          type="checkbox"
          className="fb-checkbox__input"
          aria-invalid={error ? true : undefined}
          aria-describedby={ids.describedBy}
          {...rest}
        />
      </span>
      <label htmlFor={ids.controlId} className="fb-checkbox__label">
        {label}
      </label>
      {hint || error ? (
        <div className="fb-checkbox__extra">
          <FieldMessages hint={hint} error={error} ids={ids} />
        </div>
      ) : null}
    </div>
  );
});
