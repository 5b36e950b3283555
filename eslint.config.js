// Lint: typescript-eslint strict (type-aware) plus the rxjs-x recommended rules, and one
// architectural rule: kernels are pure, so nothing under src/kernels may import rxjs, ws,
// fp-ts or any node: module.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import rxjsX from 'eslint-plugin-rxjs-x';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'src/server/static/vendor/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'operators/**/*.ts'],
    ...rxjsX.configs.recommended,
  },
  {
    files: ['src/kernels/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['rxjs', 'rxjs/*'], message: 'kernels are pure: no rxjs' },
          { group: ['ws', 'ws/*'], message: 'kernels are pure: no I/O (ws)' },
          { group: ['fp-ts', 'fp-ts/*'], message: 'kernels are pure: fp-ts stays at the edges' },
          { group: ['node:*'], message: 'kernels are pure: no node: modules' },
        ],
      }],
    },
  },
  {
    files: ['test/**/*.ts', 'benchmarks/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
