// Lint: typescript-eslint's recommended rules, plus the one-way layering of the library
// (cli → runner → verify/traffic/report → targets → kube/istio/bookinfo/mesh → core), enforced
// with no-restricted-imports so an inner layer cannot reach an outer one.
import tseslint from 'typescript-eslint';

const layers = [
  ['core', []],
  ['kube', ['core']],
  ['istio', ['core', 'kube']],
  ['bookinfo', ['core', 'kube']],
  ['mesh', ['core', 'kube', 'istio', 'bookinfo']],
  ['plan', ['core', 'kube', 'istio', 'bookinfo']],
  ['targets', ['core', 'kube', 'istio', 'bookinfo', 'mesh']],
  ['verify', ['core', 'plan', 'traffic', 'report', 'bookinfo']],
  ['traffic', ['core', 'bookinfo']],
  ['report', ['core', 'plan', 'traffic', 'targets', 'verify', 'bookinfo', 'kube']],
  ['runner', ['core', 'kube', 'istio', 'bookinfo', 'plan', 'targets', 'verify', 'traffic', 'report', 'mesh']],
];
const all = ['core', 'kube', 'istio', 'bookinfo', 'mesh', 'plan', 'targets', 'verify', 'traffic', 'report', 'runner', 'cli'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', '.cache/**', '**/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layers.map(([layer, allowed]) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: [`src/${layer}/**/*.test.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: all
            .filter((l) => l !== layer && !allowed.includes(l))
            .map((l) => ({ group: [`**/${l}/*`, `../${l}`, `../../${l}`], message: `${layer}/ may not import ${l}/ (layers point one way)` })),
        },
      ],
    },
  })),
);
