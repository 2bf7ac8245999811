// ESLint: typescript-eslint's recommended rules plus the house's layering (ARCHITECTURE.md,
// rule 1 "Folder = runtime"). test/layering.test.ts lints deliberate violations to prove
// each rule bites.
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { layeringRule } from './scripts/eslint-layering.js';
import { webPreferencesRule } from './scripts/eslint-web-preferences.js';

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
/** Packages that only load in Node (native addons, Node-only libraries). */
const NODE_ONLY_PACKAGES = ['better-sqlite3-multiple-ciphers', 'serialport', '@serialport/*', 'node-hid', 'pino'];
const NETWORK_MODULES = ['net', 'http', 'https', 'http2', 'dgram', 'tls', 'dns', 'undici', 'ws'].flatMap((m) =>
  m === 'undici' || m === 'ws' ? [m] : [m, `node:${m}`],
);
const TESTS = ['**/*.test.ts', '**/*.test.tsx', 'test/**', '**/test/**'];

const ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * Which folders each folder may import (relative imports; a folder may always import
 * itself). The most specific entry applies: main/cli/ may reach the simulators, the rest of
 * main/ may not. base/common and base/node are layers of their own (base/ has no entry):
 * base/common imports nothing, base/node only base/common. Code that runs in the browser
 * (protocol/, renderer/) gets base/common only. Tests are exempt: they run under Node and may
 * reach anything.
 */
const MAY_IMPORT = {
  'base/common': [],
  'base/node': ['base/common'],
  protocol: ['base/common'],
  vse: ['base/common', 'base/node', 'protocol'],
  hardware: ['base/common', 'base/node', 'protocol'],
  // The host brokers commands to the VSE through its RPC contract; it never runs VSE code.
  main: ['base/common', 'base/node', 'protocol', 'hardware', 'vse/contract'],
  // The app API contract runs in the renderer too: it may use the protocol library, nothing else.
  'main/contract': ['base/common', 'protocol'],
  renderer: ['base/common', 'protocol', 'main/contract'],
  sim: ['base/common', 'base/node', 'protocol', 'hardware'],
  // The other parties' command line drives a terminal (the demo runs one): it may use the
  // product; the product never uses it (main/ has no entry for sim/).
  'sim/cli': ['base/common', 'base/node', 'protocol', 'hardware', 'sim', 'main', 'vse/contract'],
  bench: ['base/common', 'base/node', 'protocol', 'vse', 'hardware', 'main', 'renderer', 'sim'],
  scripts: ['base/common', 'base/node', 'protocol', 'vse', 'hardware', 'main', 'renderer', 'sim', 'bench'],
};

function restricted(paths, patterns, message) {
  return ['error', { paths: paths.map((name) => ({ name, message })), patterns: patterns.map((group) => ({ group: [group], message })) }];
}

const electronOnlyInShell = restricted(['electron'], ['electron/*'], 'only main/electron/ imports electron');

export default tseslint.config(
  { ignores: ['node_modules/', '.toolchain/', 'dist/', 'out/', 'coverage/', 'test-results/', 'playwright-report/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { kassa: { rules: { layering: layeringRule, 'no-insecure-web-preferences': webPreferencesRule } } },
    rules: {
      // Everywhere, tests and scripts included (docs/security.md, "The renderer").
      'kassa/no-insecure-web-preferences': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': electronOnlyInShell,
    },
  },
  {
    // Who may import whom. Tests run under Node and may reach any folder.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: TESTS,
    rules: {
      'kassa/layering': ['error', { root: ROOT, allow: MAY_IMPORT }],
    },
  },
  {
    // Code that runs in the browser (or in both): no Node built-ins, no Node-only packages.
    files: ['base/common/**/*.ts', 'protocol/**/*.ts', 'main/contract/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    // The renderer's build configuration runs in Node, at build time.
    ignores: [...TESTS, 'renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': restricted(
        [...NODE_BUILTINS, 'electron', ...NODE_ONLY_PACKAGES.filter((p) => !p.includes('*'))],
        ['electron/*', ...NODE_ONLY_PACKAGES.filter((p) => p.includes('*'))],
        'base/common/, protocol/, main/contract/ and renderer/ run in the browser: no Node built-ins, Node-only packages or electron',
      ),
      'no-restricted-globals': ['error', ...['Buffer', 'process', 'require', '__dirname', '__filename'].map((name) => ({ name, message: 'not available in the browser' }))],
    },
  },
  {
    // The VSE never touches the network or hardware, and never imports electron; nor does
    // base/node, which the VSE imports.
    files: ['vse/**/*.ts', 'base/node/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restricted(
        [...NETWORK_MODULES, 'electron', 'serialport', 'node-hid'],
        ['electron/*', '@serialport/*'],
        'vse/ and base/node/ never touch the network or hardware and never import electron',
      ),
      'no-restricted-globals': ['error', ...['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource'].map((name) => ({ name, message: 'vse/ and base/node/ never touch the network' }))],
    },
  },
  {
    // The Electron shell is the one place that imports electron.
    files: ['main/electron/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
