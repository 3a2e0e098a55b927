import { Ban, CircleCheck, CircleQuestionMark, CircleX, Clock, TriangleAlert, type LucideIcon } from 'lucide-react';
import { Badge, type BadgeTone } from './badge';

export type Status = 'valid' | 'expiring' | 'expired' | 'revoked' | 'ok' | 'warning' | 'error' | 'unknown';

interface StatusLook {
  label: string;
  tone: BadgeTone;
  Icon: LucideIcon;
}

/** Each status differs in colour, icon shape and words, so it reads in sunlight, in greyscale and to a screen reader. */
export const STATUS_LOOKS: Record<Status, StatusLook> = {
  valid: { label: 'Valid', tone: 'success', Icon: CircleCheck },
  expiring: { label: 'Expiring soon', tone: 'warning', Icon: Clock },
  expired: { label: 'Expired', tone: 'danger', Icon: CircleX },
  revoked: { label: 'Revoked', tone: 'revoked', Icon: Ban },
  ok: { label: 'OK', tone: 'success', Icon: CircleCheck },
  warning: { label: 'Warning', tone: 'warning', Icon: TriangleAlert },
  error: { label: 'Error', tone: 'danger', Icon: CircleX },
  unknown: { label: 'Unknown', tone: 'neutral', Icon: CircleQuestionMark },
};

export interface StatusBadgeProps {
  status: Status;
  /** Replaces the default word ("Found", "Missing", "Expires in 12 days"); the icon and colour stay. */
  label?: string;
  title?: string;
}

export function StatusBadge({ status, label, title }: StatusBadgeProps) {
  const look = STATUS_LOOKS[status];
  return (
    <Badge tone={look.tone} icon={<look.Icon size={14} aria-hidden="true" strokeWidth={2.25} />} title={title}>
      {label ?? look.label}
    </Badge>
  );
}
