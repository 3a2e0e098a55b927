import { Stethoscope } from 'lucide-react';
import { Button } from '../ui';
import { transportKind } from '../bridge';
import { useDoctorStore } from '../features/doctor/use-doctor-store';
import { AREAS } from '../core/areas';
import { FieldbenchLogo } from './fieldbench-logo';
import { useNavigationStore } from '../core/use-navigation-store';

const isMac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform);
/** In a browser tab Ctrl+1..6 belong to the browser (it switches tabs), so hints are shown only on the desktop. */
const shortcutsWork = transportKind === 'ipc';

/** The six areas as buttons; the current one carries aria-current="page". */
export function NavSidebar() {
  const active = useNavigationStore((s) => s.active);
  const go = useNavigationStore((s) => s.go);
  const showDoctor = useDoctorStore((s) => s.show);
  return (
    <aside className="fb-sidebar">
      <div className="fb-brand">
        <FieldbenchLogo size={34} />
        <div>
          <div className="fb-brand__name">Fieldbench</div>
          <div className="fb-brand__sub">Edge commissioning</div>
        </div>
      </div>
      <nav aria-label="Areas">
        <ul className="fb-nav__list">
          {AREAS.map(({ id, name, Icon }, index) => (
            <li key={id}>
              <button
                type="button"
                className="fb-nav__item"
                aria-current={active === id ? 'page' : undefined}
                aria-keyshortcuts={shortcutsWork ? `${isMac ? 'Meta' : 'Control'}+${index + 1}` : undefined}
                onClick={() => go(id)}
              >
                <span className="fb-nav__icon" aria-hidden="true">
                  <Icon size={20} />
                </span>
                <span className="fb-nav__name">{name}</span>
                {shortcutsWork ? (
                  <kbd className="fb-nav__kbd" aria-hidden="true">
                    {isMac ? '⌘' : 'Ctrl+'}
                    {index + 1}
                  </kbd>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="fb-sidebar__foot">
        <Button variant="ghost" fullWidth icon={<Stethoscope size={18} />} onClick={showDoctor}>
          Check this machine
        </Button>
      </div>
    </aside>
  );
}
