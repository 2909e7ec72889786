// `npm run lint` runs this, then scripts/check-layers.mjs (the layer rules eslint cannot express).
// TypeScript: typescript-eslint's strict type-checked rules, each file checked against its own
// tsconfig (projectService finds the nearest one: tsconfig.json, or src/webview/tsconfig.json).
// JavaScript (.mjs: scripts, esbuild.mjs, the integration runners and UI tests): eslint's
// recommended rules plus typescript-eslint's strict rules WITHOUT type information (type-checking
// the .mjs files would need a checkJs project over untyped code: slower for little gain).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', '.cache/**'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers and booleans read fine in messages; objects, undefined and null still may not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // node:test's test()/describe()/hooks return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{
          from: 'package', package: 'node:test',
          name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach', 'skip', 'todo', 'only'],
        }],
      }],
      // `() => void f()` style is noisier than `() => f()` for callbacks whose result is ignored.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    languageOptions: { globals: { ...globals.node } },
  },
);
