import type { ReactNode } from 'react';
import './page-header.css';

export interface PageHeaderProps {
  /** The page's one <h1>. */
  title: string;
  description?: ReactNode;
  /** Buttons or badges on the right. */
  actions?: ReactNode;
}

export function PageHeader({ title, description, actions }: PageHeaderProps) {
  return (
    <header className="fb-page-header">
      <div className="fb-page-header__titles">
        <h1 className="fb-page-header__title">{title}</h1>
        {description ? <p className="fb-page-header__description">{description}</p> : null}
      </div>
      {actions ? <div className="fb-page-header__actions">{actions}</div> : null}
    </header>
  );
}
