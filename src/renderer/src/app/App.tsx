import { useEffect } from 'react';
import { Toaster } from '../ui';
import { DoctorDialog } from '../features/doctor/doctor-dialog';
import { ReissueDialog } from '../features/vault/reissue-dialog';
import { AreaView } from './area-view';
import { NavSidebar } from './nav-sidebar';
import { StatusBar } from './status-bar';
import { useAppStore } from '../core/use-app-store';
import { useNavigationStore } from '../core/use-navigation-store';
import './shell.css';

/** Ctrl+1..6 (Cmd on macOS) switch areas; ignored while a dialog is open. */
function useAreaShortcuts() {
  const goToIndex = useNavigationStore((s) => s.goToIndex);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      if (!/^[1-6]$/.test(event.key)) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      event.preventDefault();
      goToIndex(Number(event.key));
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [goToIndex]);
}

export function App() {
  const loadInfo = useAppStore((s) => s.loadInfo);
  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);
  useAreaShortcuts();

  return (
    <div className="fb-shell">
      <NavSidebar />
      <main className="fb-main" id="main">
        <AreaView />
      </main>
      <StatusBar />
      <Toaster />
      <DoctorDialog />
      <ReissueDialog />
    </div>
  );
}
