import { Clock, type LucideIcon } from 'lucide-react';
import { useId, type ReactNode } from 'react';
import { Badge, EmptyState, PageHeader } from '../ui';
import { areaById, type AreaId } from '../core/areas';
import './planned-area.css';

export interface PlannedCapability {
  Icon: LucideIcon;
  title: string;
  text: string;
}

export interface PlannedAreaProps {
  area: AreaId;
  /** One line under the page title. */
  tagline: string;
  title: string;
  /** Two to four plain sentences: what this area will do for the technician. */
  children: ReactNode;
  planned: readonly PlannedCapability[];
  action?: ReactNode;
}

/** The page of an area that is not built yet: says plainly what it will do, and that it is coming. */
export function PlannedArea({ area, tagline, title, children, planned, action }: PlannedAreaProps) {
  const { name, Icon } = areaById(area);
  const listHeadingId = useId();
  return (
    <div className="fb-page">
      <PageHeader title={name} description={tagline} />
      <EmptyState
        icon={<Icon size={28} strokeWidth={1.75} />}
        badge={
          <Badge tone="info" icon={<Clock size={14} aria-hidden="true" />}>
            Coming in a later version
          </Badge>
        }
        title={title}
        action={action}
      >
        {children}
      </EmptyState>
      <section aria-labelledby={listHeadingId}>
        <h2 id={listHeadingId} className="fb-planned__heading">
          What you will do here
        </h2>
        <ul className="fb-planned__list">
          {planned.map((p) => (
            <li key={p.title} className="fb-planned__item">
              <span className="fb-planned__icon" aria-hidden="true">
                <p.Icon size={20} />
              </span>
              <h3 className="fb-planned__title">{p.title}</h3>
              <p className="fb-planned__text">{p.text}</p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
