// Lint: typescript-eslint's recommended rules plus the project's layering rule (DESIGN.md).
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-plugin-layers.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'coverage/', '.bench-data/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts,js,mjs}'],
    plugins: { tapedeck: layers },
    rules: {
      'tapedeck/layers': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
