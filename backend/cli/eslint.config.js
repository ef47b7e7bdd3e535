import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The CLI writes to stdout and stderr on purpose (through src/output.ts), so console is allowed there only.
export default tseslint.config(
  { ignores: ['dist/**'] },
  js.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
);
