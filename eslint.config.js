// ESLint: typescript-eslint's recommended rules plus the house's layering (ARCHITECTURE.md,
// rule 1 "Folder = runtime"). test/layering.test.ts lints deliberate violations to prove
// each rule bites.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
/** Packages that only load in Node (native addons, Node-only libraries). */
const NODE_ONLY_PACKAGES = ['better-sqlite3-multiple-ciphers', 'serialport', '@serialport/*', 'node-hid', 'pino'];
const NETWORK_MODULES = ['net', 'http', 'https', 'http2', 'dgram', 'tls', 'dns', 'undici', 'ws'].flatMap((m) =>
  m === 'undici' || m === 'ws' ? [m] : [m, `node:${m}`],
);
const TESTS = ['**/*.test.ts', '**/*.test.tsx', 'test/**'];

/** `from` folders that `target` must not import (paths from the repository root). */
function forbid(target, from, except = []) {
  return { target: `./${target}`, from: `./${from}`, except, message: `${target}/ must not import ${from}/ (ARCHITECTURE.md, "The house")` };
}

function restricted(paths, patterns, message) {
  return ['error', { paths: paths.map((name) => ({ name, message })), patterns: patterns.map((group) => ({ group: [group], message })) }];
}

const electronOnlyInShell = restricted(['electron'], ['electron/*'], 'only main/electron/ imports electron');

export default tseslint.config(
  { ignores: ['node_modules/', '.toolchain/', 'dist/', 'out/', 'coverage/', 'test-results/', 'playwright-report/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })] },
    rules: {
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
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...['vse', 'hardware', 'main', 'renderer', 'sim', 'bench', 'build', 'scripts'].map((from) => forbid('protocol', from)),
            ...['main', 'hardware', 'renderer', 'sim', 'bench'].map((from) => forbid('vse', from)),
            ...['vse', 'main', 'renderer', 'sim', 'bench'].map((from) => forbid('hardware', from)),
            // The host brokers commands to the VSE through its RPC contract; it never runs VSE code.
            forbid('main', 'vse', ['./contract', './crypto']),
            forbid('main', 'renderer'),
            forbid('main', 'bench'),
            // Only the command line reaches the simulators (demo, wallet, backend, device emulators).
            { ...forbid('main', 'sim'), target: ['./main/!(cli)/**/*', './main/*'] },
            ...['vse', 'hardware', 'sim', 'bench'].map((from) => forbid('renderer', from)),
            forbid('renderer', 'main', ['./contract']),
            forbid('sim', 'vse', ['./crypto']),
            ...['main', 'renderer', 'bench'].map((from) => forbid('sim', from)),
          ],
        },
      ],
    },
  },
  {
    // Code that runs in the browser (or in both): no Node built-ins, no Node-only packages.
    files: ['protocol/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restricted(
        [...NODE_BUILTINS, 'electron', ...NODE_ONLY_PACKAGES.filter((p) => !p.includes('*'))],
        ['electron/*', ...NODE_ONLY_PACKAGES.filter((p) => p.includes('*'))],
        'protocol/ and renderer/ run in the browser: no Node built-ins, Node-only packages or electron',
      ),
      'no-restricted-globals': ['error', ...['Buffer', 'process', 'require', '__dirname', '__filename'].map((name) => ({ name, message: 'not available in the browser' }))],
    },
  },
  {
    // The VSE never touches the network or hardware, and never imports electron.
    files: ['vse/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restricted(
        [...NETWORK_MODULES, 'electron', 'serialport', 'node-hid'],
        ['electron/*', '@serialport/*'],
        'vse/ never touches the network or hardware and never imports electron',
      ),
      'no-restricted-globals': ['error', ...['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource'].map((name) => ({ name, message: 'vse/ never touches the network' }))],
    },
  },
  {
    // The Electron shell is the one place that imports electron.
    files: ['main/electron/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
