import { useEffect, useState } from 'react';
import { Check, Copy } from 'lucide-react';
import { Button, type ButtonSize } from '../../ui';
import { copyText } from './copy-text';

/** Copy with a visible "Copied" for two seconds: with gloves on, the person needs to see it worked. */
export function CopyButton({ text, label = 'Copy', size = 'sm', what }: { text: string; label?: string; size?: ButtonSize; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <Button
      size={size}
      icon={state === 'copied' ? <Check size={16} /> : <Copy size={16} />}
      onClick={() => void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy by hand' : label}
      <span className="fb-visually-hidden"> {what}</span>
    </Button>
  );
}
