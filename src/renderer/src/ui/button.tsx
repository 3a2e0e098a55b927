import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { LoaderCircle } from 'lucide-react';
import './button.css';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';
export type ButtonSize = 'sm' | 'md' | 'lg';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Shows a spinner, announces busy and blocks further clicks while work runs. */
  loading?: boolean;
  /** A leading icon (a lucide icon element). */
  icon?: ReactNode;
  /** Square button with only the icon; `aria-label` is then required for an accessible name. */
  iconOnly?: boolean;
  fullWidth?: boolean;
}

/** The one button of the app: four variants, three sizes (all ≥ 36 px high for gloved hands). */
export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'secondary', size = 'md', loading = false, icon, iconOnly = false, fullWidth = false, type = 'button', disabled, children, className, ...rest },
  ref,
) {
  const iconSize = size === 'lg' ? 20 : size === 'sm' ? 16 : 18;
  const shownIcon = loading ? <LoaderCircle size={iconSize} className="fb-spinner" aria-hidden="true" /> : icon;
  return (
    <button
      ref={ref}
      type={type}
      className={className ? `fb-button ${className}` : 'fb-button'}
      data-variant={variant}
      data-size={size}
      data-icon-only={iconOnly || undefined}
      data-full-width={fullWidth || undefined}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      {...rest}
    >
      {shownIcon ? (
        <span className="fb-button__icon" aria-hidden="true">
          {shownIcon}
        </span>
      ) : null}
      {iconOnly ? null : children}
    </button>
  );
});
