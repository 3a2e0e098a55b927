/**
 * The one Content-Security-Policy of the renderer, sent by both the app:// protocol (desktop) and the
 * loopback host. Everything comes from the app itself: no remote scripts, styles, fonts or images, so the
 * app works air-gapped and an injected string cannot pull code from elsewhere. 'self' also admits the
 * host's own WebSocket (CSP3 matches ws: to the page's http: origin).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style properties through the CSSOM, which CSP does not restrict; no inline <style> is needed.
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers that go with every response carrying renderer content. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The host's first URL carries the token in its query: never let it travel in a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
