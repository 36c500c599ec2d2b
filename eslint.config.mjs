// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of STYLE.md ("The shape of the house") as import rules. Import paths are
 * relative (no path aliases), so each rule matches a folder name after any number of `../`.
 */
const layer = (folders, message) => ({ regex: `^(\\.{1,2}/)+(${folders})(/|$)`, message });

const WORKER = layer('src/worker|worker', 'Only src/main.ts starts the job worker (and tests drive it): share what both need from src/services.');

const DOMAIN = [
  { regex: '^(typeorm|pg|pg-query-stream|graphile-worker|express|ws|graphql-ws|@apollo/.+)(/|$)', message: 'src/domain holds pure rules: no I/O.' },
  { regex: '^(node:)?(fs|fs/promises|http|https|http2|net|tls|dgram|child_process)$', message: 'src/domain holds pure rules: no I/O.' },
  layer('entities|db|context|services|resolvers|http', 'src/domain holds pure rules: no entities, database, services or transport.'),
];
const ENTITIES = [layer('src/services|src/http|src/graphql|resolvers', 'Entities are persistence only: they import nothing above them.')];
const SERVICES = [layer('http|resolvers', 'Services are the use cases: the GraphQL and HTTP edges call them, never the reverse.')];

const restrict = (...patterns) => ['error', { patterns: [...patterns, WORKER] }];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', '.data/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-imports': restrict(),
    },
  },
  { files: ['src/domain/**'], rules: { 'no-restricted-imports': restrict(...DOMAIN) } },
  { files: ['entities/**'], rules: { 'no-restricted-imports': restrict(...ENTITIES) } },
  { files: ['src/services/**'], rules: { 'no-restricted-imports': restrict(...SERVICES) } },
  { files: ['src/main.ts', 'src/worker/**', 'test/**'], rules: { 'no-restricted-imports': 'off' } },
  // Tests read untyped GraphQL responses.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Plain CommonJS scripts run by node itself (jest.config.js, scripts/).
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
