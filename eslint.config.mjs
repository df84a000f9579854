import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'prisma/generated/', '.skein/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'eval is not allowed.' },
        { selector: "NewExpression[callee.name='Function']", message: 'new Function is not allowed.' },
      ],
    },
  },
  {
    // Workflow code is replayed: it must stay deterministic and free of Node APIs.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'http', 'https', 'crypto', 'child_process'], message: 'Workflow code may not use Node APIs.' },
            { group: ['**/activities/**', '**/runtime/**', '**/api/**', '**/worker/**', '@prisma/*', 'pg', 'openai', 'sharp'], message: 'Workflow code may only import pure modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
