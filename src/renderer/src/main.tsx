import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// Bundled font and tokens first: components' own CSS builds on the variables.
import '@fontsource-variable/inter/wght.css';
import './ui/tokens.css';
import './ui/base.css';
// Importing the theme store applies the theme to <html> before the first paint.
import './ui/use-theme-store';
import { App } from './app/App';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
