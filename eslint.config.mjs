// Typed flat ESLint config with the layer fences: shared/ stays pure, the renderer stays Node-free.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// Bare module names go in `paths` (exact match); `patterns` would also match our own folders (e.g. shared/net).
const nodeModules = [
  'fs',
  'path',
  'child_process',
  'os',
  'net',
  'crypto',
  'events',
  'stream',
  'util',
]

/** A handler that drops what it gets: `() => undefined`, `() => {}`, `() => null`, `() => void 0`. */
const doesNothing = (fn) =>
  (fn?.type === 'ArrowFunctionExpression' || fn?.type === 'FunctionExpression') &&
  ((fn.body.type === 'BlockStatement' && fn.body.body.length === 0) ||
    (fn.body.type === 'Identifier' && fn.body.name === 'undefined') ||
    (fn.body.type === 'Literal' && fn.body.value === null) ||
    (fn.body.type === 'UnaryExpression' && fn.body.operator === 'void'))

/**
 * A swallowed error says why. `no-empty` covers `catch {}` (a comment inside makes it non-empty);
 * this covers a promise's `.catch(() => undefined)`, `.then(ok, () => undefined)` and
 * `.on('error', () => undefined)`: the statement needs a comment on its lines or the line above
 * (or a log line in the handler instead).
 */
const noSilentCatch = {
  meta: {
    type: 'problem',
    messages: {
      silent:
        'This drops an error without a word: log it, or add a comment saying why nothing is logged.',
    },
    schema: [],
  },
  create(context) {
    const src = context.sourceCode
    const statementOf = (node) => {
      let n = node
      while (n.parent && !/(Statement|Declaration|PropertyDefinition)$/.test(n.type)) n = n.parent
      return n
    }
    const explained = (node) => {
      const s = statementOf(node)
      return src
        .getAllComments()
        .some((c) => c.loc.end.line >= s.loc.start.line - 1 && c.loc.start.line <= s.loc.end.line)
    }
    return {
      CallExpression(node) {
        const callee = node.callee
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return
        const name = callee.property.name
        const [first, second] = node.arguments
        const handler =
          name === 'catch'
            ? first
            : name === 'then'
              ? second
              : (name === 'on' || name === 'once') &&
                  first?.type === 'Literal' &&
                  first.value === 'error'
                ? second
                : undefined
        if (doesNothing(handler) && !explained(node))
          context.report({ node: handler, messageId: 'silent' })
      },
    }
  },
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test/fixtures/**',
      '.vagrant/**',
      '.scratch/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'vue', 'pinia', 'ssh2', ...nodeModules].map((name) => ({
            name,
            message: 'shared/ is pure TypeScript: no electron, node, vue or ssh2.',
          })),
          patterns: [
            { group: ['node:*'], message: 'shared/ is pure TypeScript: no node built-ins.' },
            {
              group: ['**/src-main/**', '**/src-renderer/**'],
              message: 'shared/ may not import from main or renderer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'ssh2', ...nodeModules].map((name) => ({
            name,
            message: 'The renderer runs in a sandbox: no Node or Electron imports.',
          })),
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a sandbox: no Node built-ins.' },
            {
              group: ['**/src-main/**'],
              message: 'The renderer talks to main only through ipc/client.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['ssh2', ...nodeModules].map((name) => ({
            name,
            message: 'The preload may import only electron and shared/.',
          })),
          patterns: [
            { group: ['node:*'], message: 'The preload may import only electron and shared/.' },
            {
              regex: '^[.][.]/(?![.][.]/shared/)',
              message: 'The preload may import only electron and shared/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine and what it drives know nothing of Electron or of the IPC layer that calls them,
    // so the CLI, tests and benchmarks use them as they are.
    files: [
      'src-main/netns/**/*.ts',
      'src-main/streams/**/*.ts',
      'src-main/target/**/*.ts',
      'src-main/vm/**/*.ts',
      'src-main/cli/**/*.ts',
      'src-main/lab/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'netns/, streams/, target/, vm/, cli/ and lab/ run without Electron.',
            },
          ],
          patterns: [
            {
              regex: '^(\\.\\./)+ipc(/|$)',
              message:
                'netns/, streams/, target/, vm/, cli/ and lab/ may not import the IPC layer (src-main/ipc).',
            },
          ],
        },
      ],
    },
  },
  {
    // Main swallows no error silently: an empty catch or a do-nothing promise handler needs a
    // comment saying why (or a log line from src-main/log.ts instead).
    files: ['src-main/**/*.ts'],
    plugins: { local: { rules: { 'no-silent-catch': noSilentCatch } } },
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      'local/no-silent-catch': 'error',
    },
  },
  {
    files: ['src-main/**/*.ts', 'test/**/*.ts', 'test/bench/**/*.ts', '*.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['test/**/*.ts', 'test/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
)
