import { APP_ORIGIN } from './window-options';

/** External sites a link in the app may open in the system browser (documentation only). */
const EXTERNAL_ALLOWLIST = new Set(['learn.microsoft.com', 'github.com']);

/** Checklist 14/15: only parsed https URLs on the allowlist leave the app, and only in the system browser. */
export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && EXTERNAL_ALLOWLIST.has(url.hostname);
}

/**
 * Checklist 17: validate the sender of every IPC message. Only the top frame of our own origin may call:
 * app://fieldbench in the packaged app, or electron-vite's dev server while developing.
 */
export function isTrustedSenderUrl(raw: string | undefined, devServerUrl: string | undefined): boolean {
  if (!raw) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.origin === APP_ORIGIN || `${url.protocol}//${url.host}` === APP_ORIGIN) return true;
  if (devServerUrl) {
    try {
      return url.origin === new URL(devServerUrl).origin;
    } catch {
      return false;
    }
  }
  return false;
}

/** Checklist 13: the app never navigates away from itself; links to allowed sites open externally instead. */
export function isInAppNavigation(raw: string, devServerUrl: string | undefined): boolean {
  return isTrustedSenderUrl(raw, devServerUrl);
}
