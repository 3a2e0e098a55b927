import { FolderOpen, Globe, Laptop, RefreshCw, TriangleAlert } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, ThemeToggle } from '../ui';
import { transportKind } from '../bridge';
import { useAppStore } from '../core/use-app-store';

/** Version, how the renderer reaches main, where the data lives, and the theme. */
export function StatusBar() {
  const { info, infoError, transportLabel, loadInfo } = useAppStore(
    useShallow((s) => ({ info: s.info, infoError: s.infoError, transportLabel: s.transportLabel, loadInfo: s.loadInfo })),
  );
  const TransportIcon = transportKind === 'ipc' ? Laptop : Globe;
  return (
    <footer className="fb-statusbar" aria-label="Status">
      {infoError ? (
        <>
          <span className="fb-statusbar__item fb-statusbar__error" title={infoError.message}>
            <TriangleAlert size={16} aria-hidden="true" />
            Not connected to Fieldbench
          </span>
          <Button size="sm" variant="ghost" icon={<RefreshCw size={16} />} onClick={() => void loadInfo()}>
            Retry
          </Button>
          <span className="fb-statusbar__grow" />
        </>
      ) : (
        <>
          <span className="fb-statusbar__item">
            <span className="fb-statusbar__strong">Fieldbench</span>
            <span data-testid="app-version">{info ? `v${info.version}` : '…'}</span>
          </span>
          <span className="fb-statusbar__sep" aria-hidden="true" />
          <span className="fb-statusbar__item" title="How this window talks to Fieldbench">
            <TransportIcon size={16} aria-hidden="true" />
            <span data-testid="app-transport">{transportLabel}</span>
          </span>
          <span className="fb-statusbar__sep" aria-hidden="true" />
          <span className="fb-statusbar__item fb-statusbar__grow" title={info?.dataDir}>
            <FolderOpen size={16} aria-hidden="true" />
            <span className="fb-visually-hidden">Data folder:</span>
            <span className="fb-statusbar__path" data-testid="app-data-dir">
              {info?.dataDir ?? ''}
            </span>
          </span>
        </>
      )}
      <ThemeToggle />
    </footer>
  );
}
