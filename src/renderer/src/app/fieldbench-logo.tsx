/** The Fieldbench mark: an edge node (centre) wired to three peers. Same drawing as resources/icon.svg. */
export function FieldbenchLogo({ size = 32 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--color-accent)" />
      <g stroke="#ffffff" strokeWidth="2.2" strokeLinecap="round" fill="none">
        <path d="M16 16 L9 9 M16 16 L23 9 M16 16 L16 24.5" />
      </g>
      <circle cx="16" cy="16" r="4.2" fill="#ffffff" />
      <circle cx="8.5" cy="8.5" r="2.6" fill="#ffffff" />
      <circle cx="23.5" cy="8.5" r="2.6" fill="#ffffff" />
      <circle cx="16" cy="25" r="2.6" fill="#ffffff" />
    </svg>
  );
}
