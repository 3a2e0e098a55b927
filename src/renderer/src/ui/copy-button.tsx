import { useEffect, useState } from 'react';
import { Check, Copy } from 'lucide-react';
import { Button, type ButtonSize } from './button';
import { copyText } from './clipboard';

/**
 * Copy with its confirmation on the button itself ("Copied" for two seconds): a toast would land on
 * top of the dialog buttons the technician reaches for next.
 */
export function CopyButton({ text, label = 'Copy', accessibleName, size = 'md', disabled }: { text: string; label?: string; accessibleName?: string; size?: ButtonSize; disabled?: boolean }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <Button
      size={size}
      disabled={disabled}
      icon={state === 'copied' ? <Check size={size === 'sm' ? 16 : 18} /> : <Copy size={size === 'sm' ? 16 : 18} />}
      aria-label={accessibleName}
      onClick={() => void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))}
    >
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and press Ctrl+C' : label}</span>
    </Button>
  );
}
