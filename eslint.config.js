// Lint: typescript-eslint's recommended rules, plus the one-way layering of the library
// (cli → commands → runner → verify/traffic/report → targets → kube/istio/bookinfo/mesh → model → core), enforced
// with no-restricted-imports so an inner layer cannot reach an outer one. Production files may not
// import test doubles (any `testing/` folder), and no target implementation imports a sibling one.
import tseslint from 'typescript-eslint';

const layers = [
  ['core', []],
  // The run's results and events: what verify, runner and report share without importing each other.
  ['model', ['core']],
  ['kube', ['core']],
  ['istio', ['core', 'kube']],
  ['bookinfo', ['core', 'kube', 'model']],
  ['mesh', ['core', 'kube', 'istio', 'bookinfo']],
  ['plan', ['core', 'kube', 'istio', 'bookinfo', 'model']],
  ['targets', ['core', 'kube', 'istio', 'bookinfo', 'mesh', 'model']],
  ['verify', ['core', 'plan', 'traffic', 'bookinfo', 'model']],
  ['traffic', ['core', 'bookinfo', 'model']],
  ['report', ['core', 'plan', 'traffic', 'targets', 'bookinfo', 'kube', 'model']],
  ['runner', ['core', 'kube', 'istio', 'bookinfo', 'plan', 'targets', 'verify', 'traffic', 'report', 'mesh', 'model']],
  // What the commands other than run do: up, down and doctor, classify, lint's notes on the local mesh.
  ['commands', ['core', 'kube', 'bookinfo', 'mesh', 'plan', 'targets', 'traffic', 'report', 'runner']],
];
/** Folders under src/targets/ that implement Target (cluster/ holds what the cluster ones share). */
const targetImplementations = ['local', 'kind', 'existing', 'kwok'];
const all = ['core', 'model', 'kube', 'istio', 'bookinfo', 'mesh', 'plan', 'targets', 'verify', 'traffic', 'report', 'runner', 'commands', 'cli'];

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
  // One no-restricted-imports entry per file group: a later entry for the same file replaces an earlier one.
  ...[...layers, ['cli', all.filter((l) => l !== 'cli')]].flatMap(([layer, allowed]) => {
    const layerPatterns = all
      .filter((l) => l !== layer && !allowed.includes(l))
      .map((l) => ({ group: [`**/${l}/*`, `../${l}`, `../../${l}`], message: `${layer}/ may not import ${l}/ (layers point one way)` }));
    const files = [`src/${layer}/**/*.ts`];
    const ignores = ['**/*.test.ts', '**/testing/**'];
    if (layer !== 'targets') return [restrict(files, ignores, layerPatterns)];
    return [
      restrict(files, [...ignores, ...targetImplementations.map((t) => `src/targets/${t}/**`)], [
        ...layerPatterns,
        { group: targetImplementations.flatMap((t) => [`./${t}/*`, `../${t}/*`]), message: 'shared target code may not import a target implementation (select.ts loads them on demand)' },
      ]),
      ...targetImplementations.map((t) =>
        restrict([`src/targets/${t}/**/*.ts`], ignores, [
          ...layerPatterns,
          {
            group: targetImplementations.filter((o) => o !== t).flatMap((o) => [`../${o}/*`, `../../${o}/*`]),
            message: `targets/${t}/ may not import another target implementation (shared code goes to targets/ or targets/cluster/)`,
          },
        ]),
      ),
    ];
  }),
  // verify/ states facts (model/check-explanation.ts, model/settle-rule.ts) and report/ words them
  // (check-messages.ts, settle-messages.ts), so every sentence a user reads is made in one layer
  // and can change without touching a statistical check. Text here is only a thrown Error's message,
  // for a caller's mistake (`maxRequests must be at least 1`), never shown as a result.
  {
    files: ['src/verify/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-syntax': ['error', ...wordsInReport('verify/ returns facts; its words are made in report/ (check-messages.ts, settle-messages.ts)')],
    },
  },
);

/** no-restricted-syntax entries against building text, outside the message of a thrown Error. */
function wordsInReport(message) {
  return [
    { selector: 'TemplateLiteral:not(ThrowStatement > NewExpression[callee.name=/Error$/] > TemplateLiteral)', message },
    { selector: "BinaryExpression[operator='+']:matches([left.type='Literal'][left.raw=/^['\"]/], [right.type='Literal'][right.raw=/^['\"]/], [left.type='TemplateLiteral'], [right.type='TemplateLiteral'])", message },
    { selector: "AssignmentExpression[operator='+=']:matches([right.type='Literal'][right.raw=/^['\"]/], [right.type='TemplateLiteral'])", message },
    { selector: 'CallExpression[callee.property.name=/^(join|toFixed|toPrecision|padStart|padEnd)$/]', message },
  ];
}

/** Error on importing any of `patterns`, or a test double, from `files` (less `ignores`). */
function restrict(files, ignores, patterns) {
  return {
    files,
    ignores,
    rules: {
      'no-restricted-imports': ['error', { patterns: [...patterns, { group: ['**/testing/*', './testing/*'], message: 'production code may not import test doubles (testing/ folders)' }] }],
    },
  };
}
