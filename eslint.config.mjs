import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', '.local/**', '.nx/**', 'generated/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through @llm/config only.' },
        { selector: "CallExpression[callee.name='forwardRef']", message: 'No forwardRef: fix the module graph instead.' },
      ],
      'no-restricted-imports': ['error', { paths: [{ name: 'kafkajs', message: 'kafkajs stays behind @llm/kafka.' }] }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The Prisma client is generated vendor code outside every project (see libs/db/prisma/schema.prisma).
          allow: ['../../../generated/prisma/client'],
          // libs/testing starts real infrastructure with libs/kafka; libs/kafka's own integration specs use
          // libs/testing. The edge back exists in spec files only.
          ignoredCircularDependencies: [['kafka', 'testing']],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:infra', 'type:util', 'type:testing'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:infra', 'type:util', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:infra', 'type:util'] },
            // type:testing below is for *.spec.ts / *.int-spec.ts files; production code never imports it.
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts', 'type:data-access', 'type:infra', 'type:util', 'type:testing'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts', 'type:infra', 'type:util', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:ingress', onlyDependOnLibsWithTags: ['scope:ingress', 'scope:shared'] },
            { sourceTag: 'scope:cache', onlyDependOnLibsWithTags: ['scope:cache', 'scope:shared'] },
            { sourceTag: 'scope:retriever', onlyDependOnLibsWithTags: ['scope:retriever', 'scope:shared'] },
            { sourceTag: 'scope:router', onlyDependOnLibsWithTags: ['scope:router', 'scope:shared'] },
            { sourceTag: 'scope:inference-worker', onlyDependOnLibsWithTags: ['scope:inference-worker', 'scope:shared'] },
            { sourceTag: 'scope:cost-ledger', onlyDependOnLibsWithTags: ['scope:cost-ledger', 'scope:shared'] },
            { sourceTag: 'scope:evaluator', onlyDependOnLibsWithTags: ['scope:evaluator', 'scope:shared'] },
            { sourceTag: 'scope:model-sim', onlyDependOnLibsWithTags: ['scope:model-sim', 'scope:shared'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:sample-traffic', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:bench-gateway', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:bench-pipeline', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:bench-ledger', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:bench-inference', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:bench-rag', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:bench-routing', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // libs/kafka is the one place that may use kafkajs; libs/config the one place that may read process.env.
    files: ['libs/kafka/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['libs/config/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
