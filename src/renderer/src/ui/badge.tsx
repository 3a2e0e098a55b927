import type { ReactNode } from 'react';
import './badge.css';

export type BadgeTone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'revoked';

export interface BadgeProps {
  tone?: BadgeTone;
  icon?: ReactNode;
  children: ReactNode;
  title?: string;
}

/** A small label pill. For states (valid, expired…) use StatusBadge, which always pairs colour with text and an icon. */
export function Badge({ tone = 'neutral', icon, children, title }: BadgeProps) {
  return (
    <span className="fb-badge" data-tone={tone} title={title}>
      {icon}
      {children}
    </span>
  );
}
