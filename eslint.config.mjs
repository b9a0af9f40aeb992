// Flat config: typescript-eslint's recommended rules, type-aware (floating promises, needless
// assertions), `any` an error everywhere, and the layer rules of the README's Layout section.
import tseslint from 'typescript-eslint';
import globals from 'globals';

const PROCESSES = ['execa', 'node:child_process', 'child_process'];

/**
 * `no-restricted-imports` for one layer: modules it may not import at all, and type-only ones.
 * @param {string[]} files
 * @param {{ banned?: string[], bannedPatterns?: string[], typeOnlyPatterns?: string[], except?: string[] }} rules
 * @returns {import('typescript-eslint').ConfigWithExtends}
 */
function layer(files, { banned = [], bannedPatterns = [], typeOnlyPatterns = [], except = [] }) {
  return {
    files,
    ignores: except,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: banned.map((name) => ({ name, message: `${name} is not imported here (README, Layout)` })),
          patterns: [
            ...bannedPatterns.map((group) => ({ group: [group], message: 'this layer may not import from there (README, Layout)' })),
            ...typeOnlyPatterns.map((group) => ({
              group: [group],
              allowTypeImports: true,
              message: 'only type imports from the engine here; values come through the engine entry (README, Layout)',
            })),
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', '**/*.js', 'media/**', '!test/vscode/trivial-extension/*.js'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs', 'scripts/*.mjs', 'test/vscode/*.mjs', 'test/vscode/trivial-extension/*.js'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  layer(['src/core/**/*.ts'], {
    banned: ['vscode', ...PROCESSES],
    bannedPatterns: ['**/monitor/**', '**/sandbox/**', '**/cli/**', '**/vscode/**', '../monitor', '../sandbox', '../cli', '../vscode', '../../monitor', '../../sandbox', '../../cli', '../../vscode'],
  }),
  layer(['src/monitor/**/*.ts'], {
    banned: ['vscode'],
    bannedPatterns: ['**/sandbox/**', '**/cli/**', '**/vscode/**', '../sandbox', '../cli', '../vscode'],
  }),
  layer(['src/sandbox/**/*.ts'], { banned: ['vscode'], bannedPatterns: ['**/cli/**', '**/vscode/**', '../cli', '../vscode'] }),
  layer(['src/cli/**/*.ts'], { banned: ['vscode'], bannedPatterns: ['**/vscode/**', '../vscode'] }),
  layer(['src/vscode/**/*.ts'], {
    banned: PROCESSES,
    typeOnlyPatterns: ['**/sandbox/**', '**/monitor/**', '../sandbox', '../monitor', '../../sandbox', '../../monitor'],
    bannedPatterns: ['**/cli/**', '../cli', '../../cli'],
    except: ['src/vscode/engineEntry.ts'],
  }),
);
