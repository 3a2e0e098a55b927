import { create } from 'zustand';

export type ThemePreference = 'system' | 'light' | 'dark';
export type ResolvedTheme = 'light' | 'dark';

interface ThemeState {
  preference: ThemePreference;
  resolved: ResolvedTheme;
  setPreference: (preference: ThemePreference) => void;
}

const STORAGE_KEY = 'fieldbench.theme';

function readPreference(): ThemePreference {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    return stored === 'light' || stored === 'dark' || stored === 'system' ? stored : 'system';
  } catch {
    // Storage can be unavailable (privacy settings); the OS setting is a fine default.
    return 'system';
  }
}

const darkQuery = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : undefined;

function resolve(preference: ThemePreference): ResolvedTheme {
  if (preference !== 'system') return preference;
  return darkQuery?.matches ? 'dark' : 'light';
}

function apply(theme: ResolvedTheme): void {
  if (typeof document !== 'undefined') document.documentElement.dataset.theme = theme;
}

const initial = readPreference();

/** Light or dark, following the OS until the person picks one; the choice is remembered on this machine. */
export const useThemeStore = create<ThemeState>()((set) => ({
  preference: initial,
  resolved: resolve(initial),
  setPreference: (preference) => {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, preference);
    } catch {
      /* not remembered, still applied */
    }
    const resolved = resolve(preference);
    apply(resolved);
    set({ preference, resolved });
  },
}));

apply(useThemeStore.getState().resolved);

darkQuery?.addEventListener('change', () => {
  const { preference } = useThemeStore.getState();
  if (preference !== 'system') return;
  const resolved = resolve('system');
  apply(resolved);
  useThemeStore.setState({ resolved });
});
