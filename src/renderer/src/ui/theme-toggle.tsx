import { Monitor, Moon, Sun } from 'lucide-react';
import { Button } from './button';
import { useThemeStore, type ThemePreference } from './use-theme-store';
import './theme-toggle.css';

const CHOICES: { value: ThemePreference; label: string; Icon: typeof Sun }[] = [
  { value: 'system', label: 'Use the system theme', Icon: Monitor },
  { value: 'light', label: 'Light theme', Icon: Sun },
  { value: 'dark', label: 'Dark theme', Icon: Moon },
];

/** Three pressed/unpressed buttons: system, light, dark. */
export function ThemeToggle() {
  const preference = useThemeStore((s) => s.preference);
  const setPreference = useThemeStore((s) => s.setPreference);
  return (
    <div className="fb-theme-toggle" role="group" aria-label="Theme">
      {CHOICES.map(({ value, label, Icon }) => (
        <Button
          key={value}
          variant="ghost"
          size="sm"
          iconOnly
          aria-label={label}
          title={label}
          aria-pressed={preference === value}
          icon={<Icon size={18} />}
          onClick={() => setPreference(value)}
        />
      ))}
    </div>
  );
}
