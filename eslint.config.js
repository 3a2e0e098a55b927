// Lint enforces the layer arrows of docs/architecture.md; test/unit/architecture/lint-boundaries.test.ts proves they fire.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node:*'];

const noIpcOutsideHelpers = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'ipcMain/ipcRenderer belong only in src/main/ipc/electron-ipc.ts and src/preload/index.ts: register handlers through the contract instead.',
};

const restrict = (paths, patterns) => ['error', { paths, patterns }];

const sharedRule = restrict(
  [],
  [
    { group: nodeBuiltins, message: 'src/shared runs everywhere: no Node built-ins.' },
    { group: ['electron', 'electron/*'], message: 'src/shared runs everywhere: no Electron.' },
    { group: ['react', 'react-dom', 'react/*', 'zustand', 'zustand/*'], message: 'src/shared holds the contract and domain types only: no UI libraries.' },
    { group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'], message: 'src/shared must not import from the runtimes that use it.' },
  ],
);

const noElectronRule = restrict(
  [{ name: 'electron', message: 'Services, the host and the CLI run under plain Node: never import electron here (only src/main/windows, src/main/ipc/electron-ipc.ts and src/main/index.ts may).' }],
  [{ group: ['electron/*'], message: 'Services, the host and the CLI run under plain Node: never import electron here.' }, { group: ['**/renderer/**', '**/preload/**'], message: 'Main does not import the renderer or preload.' }],
);

const rendererRule = restrict(
  [],
  [
    { group: ['electron', 'electron/*'], message: 'The renderer never imports electron: use src/renderer/src/bridge.ts.' },
    { group: ['**/main/**', '**/preload/**', '**/cli/**'], message: 'The renderer never imports main, preload or the CLI: call main through bridge.ts.' },
    { group: nodeBuiltins, message: 'The renderer runs in a browser sandbox: no Node built-ins.' },
  ],
);

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-restricted-imports': restrict([noIpcOutsideHelpers], []),
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name=/^ipc(Main|Renderer)$/]", message: 'ipcMain/ipcRenderer belong only in the two IPC helper files.' },
      ],
    },
  },
  { files: ['src/shared/**/*.ts'], rules: { 'no-restricted-imports': sharedRule } },
  { files: ['src/main/services/**/*.ts', 'src/main/areas/**/*.ts', 'src/main/workflows/**/*.ts', 'src/main/ipc/dispatcher.ts', 'src/main/ipc/event-hub.ts', 'src/main/area.ts', 'src/main/host/**/*.ts', 'src/main/security/**/*.ts', 'src/main/compose.ts', 'src/cli/**/*.ts'], rules: { 'no-restricted-imports': noElectronRule } },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'test/unit/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules, 'no-restricted-imports': rendererRule },
  },
  { files: ['src/main/ipc/electron-ipc.ts', 'src/preload/index.ts'], rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' } },
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.mjs'], rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-non-null-assertion': 'off' } },
);
