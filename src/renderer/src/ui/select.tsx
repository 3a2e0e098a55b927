import { forwardRef, type ReactNode, type SelectHTMLAttributes } from 'react';
import { ChevronDown } from 'lucide-react';
import { FieldLabel, FieldMessages, useFieldIds } from './field';

export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean;
}

export interface SelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'size'> {
  label: ReactNode;
  options: readonly SelectOption[];
  hint?: ReactNode;
  error?: ReactNode;
  /** Shown as a first, unselectable option when nothing is chosen yet. */
  placeholder?: string;
}

/** A native select (keyboard and screen reader behaviour for free) with label, hint and validation message. */
export const Select = forwardRef<HTMLSelectElement, SelectProps>(function Select(
  { label, options, hint, error, placeholder, id, className, required, ...rest },
  ref,
) {
  const ids = useFieldIds(id, Boolean(hint), Boolean(error));
  return (
    <div className={className ? `fb-field ${className}` : 'fb-field'}>
      <FieldLabel htmlFor={ids.controlId} required={required}>
        {label}
      </FieldLabel>
      <div className="fb-select-wrap">
        <select
          ref={ref}
          id={ids.controlId}
          className="fb-select"
          aria-invalid={error ? true : undefined}
          aria-describedby={ids.describedBy}
          required={required}
          {...rest}
        >
          {placeholder !== undefined ? (
            <option value="" disabled>
              {placeholder}
            </option>
          ) : null}
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
        <ChevronDown size={18} className="fb-select-wrap__chevron" aria-hidden="true" />
      </div>
      <FieldMessages hint={hint} error={error} ids={ids} />
    </div>
  );
});
