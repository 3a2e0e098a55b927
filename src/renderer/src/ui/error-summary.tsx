import { forwardRef } from 'react';
import { CircleAlert } from 'lucide-react';
import './error-summary.css';

export interface ErrorSummaryItem {
  /** The id of the control the error belongs to; a click takes focus there. */
  fieldId: string;
  label: string;
  message: string;
}

/**
 * The errors of a long form, listed at its top (GOV.UK's error summary pattern): each names its field and
 * jumps to it, so a 1,250 px dialog says what is wrong without the person scrolling to find it. The same
 * sentences stay next to each field.
 */
export const ErrorSummary = forwardRef<HTMLDivElement, { title?: string; items: readonly ErrorSummaryItem[] }>(function ErrorSummary(
  { title = 'Some fields need attention', items },
  ref,
) {
  if (items.length === 0) return null;
  return (
    <div ref={ref} className="fb-error-summary" role="alert" tabIndex={-1} aria-labelledby="fb-error-summary-title">
      <p id="fb-error-summary-title" className="fb-error-summary__title">
        <CircleAlert size={18} aria-hidden="true" /> {title}
      </p>
      <ul className="fb-error-summary__list">
        {items.map((item) => (
          <li key={item.fieldId}>
            <a
              href={`#${item.fieldId}`}
              onClick={(e) => {
                e.preventDefault();
                document.getElementById(item.fieldId)?.focus();
              }}
            >
              {item.label}
            </a>
            : {item.message}
          </li>
        ))}
      </ul>
    </div>
  );
});
