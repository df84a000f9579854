import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  module: 'writable',
  require: 'readonly',
  URL: 'readonly',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'prisma/generated/', '.skein/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'eval is not allowed.' },
        {
          selector: "NewExpression[callee.name='Function']",
          message: 'new Function is not allowed.',
        },
      ],
    },
  },
  {
    // Workflow code is replayed: it must stay deterministic and free of Node APIs and I/O.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(node:.*|fs|path|http|https|crypto|child_process)$',
              message: 'Workflow code may not use Node APIs.',
            },
            {
              regex: '(^|/)(activities|runtime|api|worker)(/|$)|^(@prisma/.*|pg|openai|sharp)$',
              message: 'Workflow code may import only pure modules (activities via `import type`).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read loosely-typed JSON bodies from the API.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: nodeGlobals },
  },
);
