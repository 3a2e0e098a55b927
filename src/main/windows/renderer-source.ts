/**
 * Where the desktop window takes its page from, and whether DevTools may open. Decided once at start from
 * app.isPackaged, and passed to the window and to the IPC sender check, so both agree.
 */
export interface RendererSource {
  /** electron-vite's dev server, trusted as a sender like app://fieldbench; never set in a packaged build. */
  devServerUrl: string | undefined;
  devTools: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function loopbackDevServer(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    // electron-vite's dev server listens on this machine; any other origin would become a trusted IPC sender.
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export function rendererSource(isPackaged: boolean, env: NodeJS.ProcessEnv): RendererSource {
  // A packaged app ignores ELECTRON_RENDERER_URL: anyone who can set its environment could otherwise point the
  // window, and the IPC trust that goes with it, at a page of their choosing. DevTools stay off for the same reason.
  if (isPackaged) return { devServerUrl: undefined, devTools: false };
  return { devServerUrl: loopbackDevServer(env.ELECTRON_RENDERER_URL), devTools: true };
}
