// The parts of the project and the imports allowed between them: the rules
// behind docs/architecture.md, checked by `npm run lint` (dependency-cruiser).
// Each rule names the arrow it forbids; test/unit/architecture.test.ts proves
// that every rule fails on a forbidden import.
/** @type {import('dependency-cruiser').IConfiguration} */

const PARTS = {
  wire: '^wire/',
  core: '^main/core/',
  app: '^main/app/',
  shell: '^(main/electron/|main/index\\.ts$)',
  harness: '^main/harness/',
  contract: '^preload/',
  ui: '^renderer/',
  router: '^router/',
  lab: '^lab/',
  dashboard: '^dashboard/',
};
/** The libraries wire/ may use: pure JavaScript, no Node, no DOM. */
const WIRE_LIBRARIES = '^node_modules/(valibot|fast-xml-parser)/';
/** The core's SIP agent, as the lab and the router use it (with its logger and typed events). */
const SIP_AGENT = '^main/core/(sip/|log\\.ts$|events\\.ts$)';

const forbidden = [
  {
    name: 'wire-is-pure',
    comment: 'wire/ is plain ES2023 protocol code: it imports only wire/ and its pure libraries.',
    severity: 'error',
    from: { path: PARTS.wire },
    to: { pathNot: [PARTS.wire, WIRE_LIBRARIES] },
  },
  {
    name: 'core-only-wire',
    comment:
      'main/core is the domain: it imports wire/ and libraries, never the app, the shells, the contract or the UI.',
    severity: 'error',
    from: { path: PARTS.core },
    to: {
      path: [
        PARTS.app,
        PARTS.shell,
        PARTS.harness,
        PARTS.contract,
        PARTS.ui,
        PARTS.router,
        PARTS.lab,
        '^test/',
      ],
    },
  },
  {
    name: 'core-not-electron',
    comment: 'main/core runs in plain Node: no electron import.',
    severity: 'error',
    from: { path: [PARTS.wire, PARTS.core, PARTS.app] },
    to: { path: '^node_modules/electron/' },
  },
  {
    name: 'app-below-roots',
    comment:
      'main/app meets the core and the contract; it never imports a composition root, the UI or the lab.',
    severity: 'error',
    from: { path: PARTS.app },
    to: { path: [PARTS.shell, PARTS.harness, PARTS.ui, PARTS.router, PARTS.lab, '^test/'] },
  },
  {
    name: 'contract-only-wire',
    comment: 'preload/ (the contract and its bridges) imports wire/ only.',
    severity: 'error',
    from: { path: PARTS.contract },
    to: {
      path: [PARTS.core, PARTS.app, PARTS.shell, PARTS.harness, PARTS.ui, PARTS.router, PARTS.lab, '^test/'],
    },
  },
  {
    name: 'ui-only-contract-and-wire',
    comment: 'renderer/ imports wire/ and types of preload/, nothing of main/ or lab/.',
    severity: 'error',
    from: { path: PARTS.ui },
    to: { path: ['^main/', PARTS.router, PARTS.lab, '^test/', '^node_modules/electron/'] },
  },
  {
    name: 'ui-contract-types-only',
    comment:
      'renderer/ uses the contract as types; the API itself arrives through the preload. Only the dev stand-in for the preload (renderer/dev) uses its values.',
    severity: 'error',
    from: { path: PARTS.ui, pathNot: '^renderer/dev/' },
    to: { path: PARTS.contract, dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'shell-not-lab-or-ui',
    comment:
      'The Electron shell composes main/app, main/core, the contract and wire/; never the lab, the harness or the UI code.',
    severity: 'error',
    from: { path: PARTS.shell },
    to: { path: [PARTS.router, PARTS.lab, PARTS.harness, PARTS.ui, '^test/'] },
  },
  {
    name: 'harness-not-shell-or-ui',
    comment:
      'The browser harness is the other composition root: it may start the lab, never import the Electron shell or the UI code.',
    severity: 'error',
    from: { path: PARTS.harness },
    to: { path: [PARTS.shell, PARTS.ui, '^test/'] },
  },
  {
    name: 'router-only-wire-and-sip-agent',
    comment:
      'router/ (the routing service) imports wire/ and the core SIP agent only: not the rest of the product, the lab or the tests.',
    severity: 'error',
    from: { path: PARTS.router },
    to: { path: ['^main/', PARTS.contract, PARTS.ui, PARTS.lab, '^test/'], pathNot: SIP_AGENT },
  },
  {
    name: 'lab-only-wire-and-sip-agent',
    comment:
      'lab/ imports wire/, the router and the core SIP agent only: not the rest of the KW core, the app, the shells, the contract or the UI.',
    severity: 'error',
    from: { path: PARTS.lab },
    to: { path: ['^main/', PARTS.contract, PARTS.ui, '^test/'], pathNot: SIP_AGENT },
  },
  {
    name: 'dashboard-only-wire',
    comment:
      'dashboard/ (the supervisor page in Chromium) imports wire/ and its libraries only: the router serves it, it never imports the router or any other part.',
    severity: 'error',
    from: { path: PARTS.dashboard },
    to: {
      path: [
        '^main/',
        PARTS.contract,
        PARTS.ui,
        PARTS.router,
        PARTS.lab,
        '^test/',
        '^node_modules/electron/',
      ],
    },
  },
  {
    name: 'dashboard-imported-by-none',
    comment:
      'The router serves the built page (dist/dashboard/) as files; no part of the product imports dashboard/ (tests and build scripts may).',
    severity: 'error',
    from: { pathNot: ['^dashboard/', '^test/', '^scripts/'] },
    to: { path: PARTS.dashboard },
  },
  {
    name: 'no-unresolvable',
    comment: 'Every import resolves to a file or an installed package.',
    severity: 'error',
    from: {},
    to: { couldNotResolve: true },
  },
];

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|build)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
// For test/unit/architecture.test.ts (not a dependency-cruiser option).
Object.defineProperty(module.exports, 'PARTS', { value: PARTS, enumerable: false });
