import { useEffect, useRef, useState } from 'react';

/** How long a notice that needs nothing from the person stays, as the toasts do for success. */
export const NOTICE_AUTO_HIDE_MS = 8000;

/**
 * Hides a notice by itself after `ms`, unless the person is reading it (pointer over it, or focus inside):
 * then the clock waits and restarts when they leave. `active` false (a notice that offers a download or a
 * next step) keeps it until dismissed. Returns the handlers to spread on the notice's root element.
 */
export function useAutoHide(active: boolean, onHide: () => void, ms = NOTICE_AUTO_HIDE_MS) {
  const [held, setHeld] = useState(false);
  const onHideRef = useRef(onHide);
  useEffect(() => {
    onHideRef.current = onHide;
  });
  useEffect(() => {
    if (!active || held) return;
    const timer = setTimeout(() => onHideRef.current(), ms);
    return () => clearTimeout(timer);
  }, [active, held, ms]);
  return {
    onMouseEnter: () => setHeld(true),
    onMouseLeave: () => setHeld(false),
    onFocus: () => setHeld(true),
    onBlur: (e: { currentTarget: Element; relatedTarget: EventTarget | null }) => {
      if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget))) setHeld(false);
    },
  };
}
