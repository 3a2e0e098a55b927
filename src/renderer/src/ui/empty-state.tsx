import type { ReactNode } from 'react';
import './empty-state.css';

export interface EmptyStateProps {
  /** A lucide icon element, drawn large. */
  icon: ReactNode;
  title: ReactNode;
  /** One or two sentences: what goes here and how to get it. */
  children: ReactNode;
  /** A badge above the title ("Coming in a later version"). */
  badge?: ReactNode;
  /** Usually one primary Button. */
  action?: ReactNode;
  /** Heading level of the title, to fit the page outline. */
  headingLevel?: 2 | 3;
}

/** What an area shows when it has nothing yet: what it is for and the first step. */
export function EmptyState({ icon, title, children, badge, action, headingLevel = 2 }: EmptyStateProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="fb-empty">
      <span className="fb-empty__icon" aria-hidden="true">
        {icon}
      </span>
      {badge}
      <Heading className="fb-empty__title">{title}</Heading>
      <div className="fb-empty__body">{children}</div>
      {action ? <div className="fb-empty__action">{action}</div> : null}
    </div>
  );
}
