// The import rules `npm test` enforces with dependency-cruiser (ESLint's no-restricted-imports keeps the
// per-file bans on electron and Node built-ins; these are the rules that need the whole graph).
// test/unit/architecture/dependency-rules.test.ts plants a violation of each and proves it fires.
//
// A service folder's exported interface is its index.ts: another area's service imports that file and
// nothing else, so the folder can move its internals without touching its neighbours.

/** Everything the CLI runs under plain Node; none of it may reach electron, however indirectly. */
const CLI_RUNS = '^src/(cli|main/(areas|ipc/(dispatcher|event-hub)|workflows|runbooks|services|compose|area|host)([./]|$))';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle: split out the shared part (types into a types-only module, state into a core module both sides import).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'services-stay-below-wiring',
      severity: 'error',
      comment: 'Services are the engine: they never import areas, the IPC layer, the loopback host, windows, workflows or runbooks (those import services).',
      from: { path: '^src/main/services/' },
      to: { path: '^src/main/(areas|ipc|host|windows|workflows|runbooks)/|^src/main/(compose|area)[.]ts$' },
    },
    {
      name: 'services-use-other-areas-through-index',
      severity: 'error',
      comment: "One area's services import another area's services only through that folder's index.ts (its exported interface).",
      from: { path: '^src/main/services/([^/]+)/' },
      to: { path: '^src/main/services/([^/]+)/', pathNot: ['^src/main/services/$1/', '^src/main/services/[^/]+/index[.]ts$'] },
    },
    {
      name: 'renderer-features-stay-apart',
      severity: 'error',
      comment: 'A renderer feature never imports another feature: move what both need into src/renderer/src/core or src/renderer/src/ui.',
      from: { path: '^src/renderer/src/features/([^/]+)/' },
      to: { path: '^src/renderer/src/features/([^/]+)/', pathNot: '^src/renderer/src/features/$1/' },
    },
    {
      name: 'renderer-features-below-app',
      severity: 'error',
      comment: 'The shell (src/renderer/src/app) mounts the features; a feature reaches shared state through src/renderer/src/core, never the shell.',
      from: { path: '^src/renderer/src/features/' },
      to: { path: '^src/renderer/src/app/' },
    },
    {
      name: 'renderer-core-below-features',
      severity: 'error',
      comment: 'src/renderer/src/core (navigation, jobs, the area list) is what app and features share: it imports neither.',
      from: { path: '^src/renderer/src/core/' },
      to: { path: '^src/renderer/src/(app|features)/' },
    },
    {
      name: 'cli-code-never-reaches-electron',
      severity: 'error',
      comment: 'The CLI runs areas, the dispatcher, the event hub, workflows and services under plain Node: electron must not be reachable from them.',
      from: { path: CLI_RUNS },
      to: { path: '^electron$|^node_modules/electron/', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
