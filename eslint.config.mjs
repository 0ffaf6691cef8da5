// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', '.switchyard/', 'bench/results/', '**/*.js', '!bin/switchyard-cli.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is runtime-agnostic (no AWS SDK, no node: modules) and knows providers only through
    // its provider port, functions/core/ports/provider.ts (DESIGN §1).
    files: ['functions/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', '@aws-sdk/*', 'aws-*', 'fs', 'path', 'http', 'crypto'], message: 'functions/core must stay runtime-agnostic: use a port.' },
            { group: ['**/providers/**', '**/providers'], message: 'functions/core must not import providers: use the provider port (functions/core/ports/provider.ts); entry points pass the registry in.' },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/switchyard-cli.js'],
    languageOptions: { globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
