// Type-aware lint with enforced Nx module boundaries. CI runs it with --max-warnings 0 (npm run check).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * Nx module boundaries. Product code depends down the layers (app → feature → data-access → util →
 * contracts) and services never on each other; the test kit (`type:testing`: fixtures, harnesses, the
 * typed client) is for test code only, which may also reach every layer it tests.
 */
const PRODUCT_CONSTRAINTS = [
  // Apps are thin shells: they compose feature libs and never import each other.
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:contracts'],
  },
  {
    sourceTag: 'type:feature',
    onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contracts'],
  },
  {
    sourceTag: 'type:data-access',
    onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contracts'],
  },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
  // Service features talk through contracts and the bus, never through each other's code.
  {
    sourceTag: 'scope:intake',
    onlyDependOnLibsWithTags: ['scope:intake', 'scope:shared', 'scope:providers'],
  },
  {
    sourceTag: 'scope:router',
    onlyDependOnLibsWithTags: ['scope:router', 'scope:shared', 'scope:providers'],
  },
  {
    sourceTag: 'scope:send-worker',
    onlyDependOnLibsWithTags: ['scope:send-worker', 'scope:shared', 'scope:providers'],
  },
  {
    sourceTag: 'scope:dlr-ingest',
    onlyDependOnLibsWithTags: ['scope:dlr-ingest', 'scope:shared', 'scope:providers'],
  },
  {
    sourceTag: 'scope:dlr-processor',
    onlyDependOnLibsWithTags: ['scope:dlr-processor', 'scope:shared', 'scope:providers'],
  },
  { sourceTag: 'scope:masking', onlyDependOnLibsWithTags: ['scope:masking', 'scope:shared'] },
  { sourceTag: 'scope:opt-out', onlyDependOnLibsWithTags: ['scope:opt-out', 'scope:shared'] },
  {
    sourceTag: 'scope:simulator',
    onlyDependOnLibsWithTags: ['scope:simulator', 'scope:shared', 'scope:providers'],
  },
  { sourceTag: 'scope:providers', onlyDependOnLibsWithTags: ['scope:providers', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', 'scope:providers'] },
];

/** Test code that is not a spec: test folders and the test kit's libraries (type:testing). */
const TEST_KIT_FILES = ['**/test/**', '**/testing/**', 'libs/shared/util-testing/**', 'libs/shared/testing-*/**'];

const TESTING = 'type:testing';
function moduleBoundaries({ testCode }) {
  const depConstraints = testCode
    ? [
        { sourceTag: TESTING, onlyDependOnLibsWithTags: ['*'] },
        ...PRODUCT_CONSTRAINTS.map((c) => ({
          ...c,
          onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, TESTING, 'scope:testing'],
        })),
        { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['*'] },
      ]
    : [
        // The test kit composes whole services: anything goes, but nothing of the product imports it.
        { sourceTag: TESTING, onlyDependOnLibsWithTags: ['*'] },
        { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['*'] },
        ...PRODUCT_CONSTRAINTS,
      ];

  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      // Test suites drive the deploy scripts (migrations, the distributed launcher) as operators do.
      allow: ['^(\\.\\./)+scripts/(migrate|distributed)$'],
      depConstraints,
    },
  ];
}

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'tmp/**',
      'data/**',
      'test/kafka/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
      // Build configuration (apps/console/vite.config.mts), like the .mjs configs above.
      '**/*.mts',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries({ testCode: false }),
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-extraneous-class': 'off',
      // Ports are async by contract; an adapter that happens not to await (in-memory) is still correct.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/unbound-method': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'padding-line-between-statements': ['error', { blankLine: 'always', prev: '*', next: 'return' }],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
      '**/*.behaviour.ts',
      '**/test/**/*.ts',
      // Scenarios are specs' bodies shared by both modes: Jest's asymmetric matchers are typed `any`.
      'libs/shared/testing-scenarios/**/*.ts',
      'bench/**/*.ts',
      'test/**/*.ts',
    ],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries({ testCode: true }),
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // The generated API client is the outside view of the HTTP API, for tests and tools: a service never
    // calls the gateway's own API, and product code must not come to depend on test-only dev dependencies.
    files: ['apps/*/src/**/*.ts', 'libs/**/src/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.harness.ts',
      ...TEST_KIT_FILES,
      'libs/shared/api-client/**',
      // The web console is a client of the public API by design: it may do only what a key can.
      'apps/console/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@sms/api-client', '@sms/api-client/*'], message: 'Only tests and tools use the API client.' },
          ],
        },
      ],
    },
  },
  {
    // One configuration path (docs/configuration.md): settings are read once, at boot, by the config library
    // and handed to modules as typed groups, so a variable is validated, documented and known to the
    // unknown-setting check. Only the boot code reads the environment; tests, scripts and benches set it up.
    files: ['**/*.ts'],
    ignores: [
      'libs/shared/util-config/**',
      'libs/shared/util-platform/src/config/**',
      // Boot code: a process's entry point and the service launcher hand the environment to loadConfig.
      'apps/*/src/main.ts',
      'libs/shared/util-platform/src/http/service-bootstrap.ts',
      // The variables are OpenTelemetry's own (OTEL_*), which its exporter reads from the environment itself.
      'libs/shared/util-tracing/src/tracing.setup.ts',
      // A benchmark hook (SQL_STATEMENT_COUNTING) that patches the drivers at import, before any data source.
      'libs/shared/data-access-persistence/src/statement-counter.ts',
      'scripts/**',
      'bench/**',
      'test/**',
      ...TEST_KIT_FILES,
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
      '**/*.harness.ts',
      '**/*.behaviour.ts',
      '**/*.child.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through loadConfig and inject the typed group (docs/configuration.md).',
        },
      ],
    },
  },
  {
    // Issue #26: a function does one thing, so a long one is split into named steps (CONTRIBUTING.md).
    // Product code only: a spec's describe block, a test kit or a benchmark is a list of cases, not a procedure,
    // and a migration is a recorded script. The console's React components (.tsx) are held to it too: a long one
    // is split into its form, table or data hook.
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx', 'libs/**/src/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
      '**/*.behaviour.ts',
      '**/*.harness.ts',
      ...TEST_KIT_FILES,
      '**/migrations/**',
    ],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  prettier,
];
