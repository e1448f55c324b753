// Lint: typescript-eslint's recommended rules, plus the one-way layering of the library
// (cli → actions → runner → verify/traffic/report → targets → kube/istio/bookinfo/mesh → model → core),
// enforced with no-restricted-imports so an inner layer cannot reach an outer one. Each layer lists only the
// layers its production files import. Production files may not import test doubles (any `testing/`
// folder) or verify/simulation/, and no target implementation imports a sibling one. Inside istio/
// and targets/kwok/, sub-folders import only the sibling sub-folders listed in `subfolders`.
import tseslint from 'typescript-eslint';

const layers = [
  ['core', []],
  // The run's results and events: what verify, runner and report share without importing each other.
  ['model', []],
  ['kube', ['core']],
  ['istio', ['core', 'kube']],
  ['bookinfo', ['model']],
  ['mesh', ['core', 'kube', 'istio']],
  ['plan', ['core', 'kube', 'istio', 'model']],
  ['targets', ['core', 'kube', 'istio', 'mesh', 'model']],
  ['verify', ['core', 'plan', 'model']],
  ['traffic', ['core', 'bookinfo', 'model']],
  ['report', ['core', 'model']],
  ['runner', ['core', 'kube', 'istio', 'bookinfo', 'plan', 'targets', 'verify', 'traffic', 'report', 'mesh', 'model']],
  // What the commands besides run do: up, down and doctor, classify, lint's notes on the local mesh.
  ['actions', ['core', 'kube', 'bookinfo', 'mesh', 'plan', 'targets', 'traffic', 'report', 'runner']],
  ['cli', ['core', 'plan', 'targets', 'runner', 'report', 'actions']],
];
/** Folders under src/targets/ that implement Target (cluster/ holds what the cluster ones share). */
const targetImplementations = ['local', 'kind', 'existing', 'kwok'];
const all = layers.map(([l]) => l);
/** Sub-folders, each with the sibling sub-folders it may import (files in the parent folder are open to all). */
const subfolders = [
  [
    'istio',
    [
      ['validate', []],
      ['install', []],
      ['proxy-config', []],
      ['gateway-api', ['validate']],
      ['routes', ['validate']],
    ],
  ],
  // The data plane is to run in a container image without the control plane.
  [
    'targets/kwok',
    [
      ['control-plane', []],
      ['data-plane', []],
    ],
  ],
];
const ignores = ['**/*.test.ts', '**/testing/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', '.cache/**', '**/fixtures/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Prettier's width, held for what Prettier cannot break: comments, strings, regexes, test names.
      // (Core max-len is deprecated but kept until ESLint 11; @stylistic/max-len takes the same options.)
      'max-len': ['error', { code: 120, tabWidth: 2 }],
    },
  },
  // One no-restricted-imports entry per file group: a later entry for the same file replaces an earlier one,
  // so an entry for a narrower group repeats the patterns of the wider one.
  ...layers.flatMap(([layer]) => {
    const files = [`src/${layer}/**/*.ts`];
    if (layer !== 'targets') return [restrict(files, ignores, layerPatterns(layer))];
    return [
      restrict(
        files,
        [...ignores, ...targetImplementations.map((t) => `src/targets/${t}/**`)],
        [
          ...layerPatterns(layer),
          {
            group: targetImplementations.flatMap((t) => [`./${t}/*`, `../${t}/*`]),
            message: 'shared target code may not import a target implementation (select.ts loads them on demand)',
          },
        ],
      ),
      ...targetImplementations.map((t) => restrict([`src/targets/${t}/**/*.ts`], ignores, implementationPatterns(t))),
    ];
  }),
  ...subfolders.flatMap(([parent, subs]) =>
    subs.map(([sub, allowed]) =>
      restrict([`src/${parent}/${sub}/**/*.ts`], ignores, [
        ...(parent === 'targets/kwok' ? implementationPatterns('kwok') : layerPatterns(parent)),
        ...subs
          .filter(([o]) => o !== sub && !allowed.includes(o))
          .map(([o]) => ({
            group: [`../${o}/*`],
            message: `${parent}/${sub}/ may not import ${parent}/${o}/ (sub-folders point one way)`,
          })),
      ]),
    ),
  ),
  // verify/simulation/ serves tests and benchmarks: it feeds checks through traffic/'s send order too.
  restrict(['src/verify/simulation/**/*.ts'], ignores, layerPatterns('verify', ['traffic'])),
  // verify/ states facts (model/check-explanation.ts, model/settle-rule.ts) and report/ words them
  // (check-messages.ts, settle-messages.ts), so every sentence a user reads is made in one layer
  // and can change without touching a statistical check. Text here is only a thrown Error's message,
  // for a caller's mistake (`maxRequests must be at least 1`), never shown as a result.
  {
    files: ['src/verify/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...wordsInReport(
          'verify/ returns facts; its words are made in report/ (check-messages.ts, settle-messages.ts)',
        ),
      ],
    },
  },
);

/** no-restricted-syntax entries against building text, outside the message of a thrown Error. */
function wordsInReport(message) {
  return [
    {
      selector: 'TemplateLiteral:not(ThrowStatement > NewExpression[callee.name=/Error$/] > TemplateLiteral)',
      message,
    },
    {
      selector:
        "BinaryExpression[operator='+']:matches([left.type='Literal'][left.raw=/^['\"]/], " +
        "[right.type='Literal'][right.raw=/^['\"]/], [left.type='TemplateLiteral'], " +
        "[right.type='TemplateLiteral'])",
      message,
    },
    {
      selector:
        "AssignmentExpression[operator='+=']:matches([right.type='Literal'][right.raw=/^['\"]/], " +
        "[right.type='TemplateLiteral'])",
      message,
    },
    { selector: 'CallExpression[callee.property.name=/^(join|toFixed|toPrecision|padStart|padEnd)$/]', message },
  ];
}

/** Patterns against the layers `layer` may not import (`extra`: more it may). */
function layerPatterns(layer, extra = []) {
  const allowed = [...layers.find(([l]) => l === layer)[1], ...extra];
  return all
    .filter((l) => l !== layer && !allowed.includes(l))
    .map((l) => ({
      group: [`**/${l}/*`, `../${l}`, `../../${l}`],
      message: `${layer}/ may not import ${l}/ (layers point one way)`,
    }));
}

/** The targets layer's patterns, and no sibling implementation, for targets/`t`/. */
function implementationPatterns(t) {
  return [
    ...layerPatterns('targets'),
    {
      group: targetImplementations.filter((o) => o !== t).flatMap((o) => [`../${o}/*`, `../../${o}/*`]),
      message:
        `targets/${t}/ may not import another target implementation (shared code goes to targets/ or ` +
        'targets/cluster/)',
    },
  ];
}

/** Error on importing any of `patterns`, a test double or the simulation, from `files` (less `ignores`). */
function restrict(files, ignores, patterns) {
  return {
    files,
    ignores,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...patterns,
            {
              group: ['**/testing/*', './testing/*'],
              message: 'production code may not import test doubles (testing/ folders)',
            },
            {
              group: ['**/simulation/*', './simulation/*'],
              message: 'production code may not import verify/simulation/ (it serves tests and benchmarks)',
            },
          ],
        },
      ],
    },
  };
}
