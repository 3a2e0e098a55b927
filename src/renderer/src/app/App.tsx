import { useEffect, useState } from 'react';
import { invoke } from '../bridge';

export function App() {
  const [version, setVersion] = useState<string>('');
  useEffect(() => {
    void invoke('app.info', {}).then((r) => r.ok && setVersion(r.value.version));
  }, []);
  return <main><h1>Fieldbench {version}</h1></main>;
}
