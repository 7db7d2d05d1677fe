// ESLint (flat config) with typescript-eslint's type-aware rules, over everything tsconfig.test.json
// type-checks: src/, test/, bench/, certs/. `npm run lint`; part of `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'deploy/', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unused names are errors, except a leading underscore: destructuring a field away (`{ tags: _tags, ...rest }`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `void promise` marks a promise deliberately not awaited (a background retry, say).
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      // Rethrowing what a catch caught (unknown) is not throwing a non-error.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      // An async function implementing a Promise-returning interface need not await anything: being async
      // is what turns its throws into rejections.
      '@typescript-eslint/require-await': 'off',
      // A `let` assigned once after closures that read it (and check for undefined) cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // jest's asymmetric matchers (expect.any, expect.objectContaining, ...) are typed `any`; comparing
    // with them is not an unsafe use of a value.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    // Install manifests are free-form YAML that these tests reach into by path (install-manifests.ts's
    // `Loose`); a missing path fails the test. Typing every path would only restate the manifests.
    files: ['test/integration/manifests.test.ts', 'test/integration/helm-chart.test.ts', 'test/support/install-manifests.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
