// An ESLint plugin with one rule, `modelplane/no-model-ids`, for feedback in the editor. It runs
// the same scanner and detector as `modelplane lint` over the file's source text, so the editor
// and CI report the same findings, suppressions and suggestions. ESLint is not a dependency: the
// rule only uses the stable parts of ESLint's rule API (create(context), context.report with a
// location and a fixer), which are typed structurally below.
//
//   // eslint.config.js
//   import modelplane from 'modelplane/eslint-plugin';
//   export default [{ plugins: { modelplane }, rules: { 'modelplane/no-model-ids': 'error' } }];

import { relative, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { createDetector, type Detector } from './detector.js';
import { loadRouteIndex, mergeRouteIndexes, suggestionFor, type RouteIndex } from './gateway-routes.js';
import { loadProjectConfig } from './project-config.js';
import { scanText } from './scan-file.js';
import { syntaxForPath } from './scan/languages.js';
import { toPosix } from './walk.js';

interface Position {
  line: number;
  column: number;
}

interface Fixer {
  replaceTextRange(range: [number, number], text: string): unknown;
}

interface Report {
  loc: { start: Position; end: Position };
  messageId: 'modelId' | 'prose' | 'suppression';
  data: Record<string, string>;
  fix?: (fixer: Fixer) => unknown;
}

/** The parts of ESLint's RuleContext this rule uses (ESLint 8 and 9 spell some differently). */
export interface RuleContextLike {
  filename?: string;
  getFilename?: () => string;
  cwd?: string;
  getCwd?: () => string;
  sourceCode?: { text: string };
  getSourceCode?: () => { text: string };
  options: readonly unknown[];
  report(descriptor: Report): void;
}

interface RuleOptions {
  /** Gateway config file(s), relative to ESLint's working directory: route suggestions and fixes. */
  config?: string | string[];
  /** Path of the lint config (default: .modelplane-lint.yaml in ESLint's working directory). */
  lintConfig?: string;
  /** Report prose mentions in comments (the CLI's warnings); ESLint has one severity per rule. Default true. */
  prose?: boolean;
}

interface Setup {
  detector: Detector;
  routes: RouteIndex | undefined;
  ignored: Ignore;
}

const setups = new Map<string, Setup>();

function setupFor(cwd: string, options: RuleOptions): Setup {
  const key = JSON.stringify([cwd, options]);
  let s = setups.get(key);
  if (s) return s;
  const project = loadProjectConfig(cwd, options.lintConfig ? resolve(cwd, options.lintConfig) : undefined);
  const configs = [...(typeof options.config === 'string' ? [options.config] : (options.config ?? [])), ...project.gatewayConfigs];
  s = {
    detector: createDetector({ disabled: project.disabled, extraRules: project.extraRules, allowed: project.allowed }),
    routes: mergeRouteIndexes(configs.map((c) => ({ ...loadRouteIndex(resolve(cwd, c)), source: c }))),
    ignored: ignore().add(project.ignore),
  };
  setups.set(key, s);
  return s;
}

export const noModelIds = {
  meta: {
    type: 'problem',
    docs: { description: 'disallow provider model ids in application code: name a gateway route instead' },
    fixable: 'code',
    messages: {
      modelId: 'model id "{{id}}" in application code: {{suggestion}}',
      prose: 'comment names model "{{id}}": {{suggestion}}',
      suppression: 'suppression without a reason: {{suggestion}}',
    },
    schema: [
      {
        type: 'object',
        properties: {
          config: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          lintConfig: { type: 'string' },
          prose: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
  },
  create(context: RuleContextLike) {
    const cwd = context.cwd ?? context.getCwd?.() ?? process.cwd();
    const filename = context.filename ?? context.getFilename?.() ?? '<input>';
    const text = (context.sourceCode ?? context.getSourceCode?.())?.text ?? '';
    const options = (context.options[0] ?? {}) as RuleOptions;
    const setup = setupFor(cwd, options);
    let rel = toPosix(relative(cwd, resolve(cwd, filename)));
    if (rel && !rel.startsWith('..') && setup.ignored.ignores(rel)) return {};
    // ESLint also lints virtual files (`<input>`, code blocks as `README.md/0.js`): scan them as JavaScript.
    if (!syntaxForPath(rel)) rel = `${rel}.js`;
    return {
      Program() {
        const { findings } = scanText(rel, text, setup.detector, (id, provider) => suggestionFor(setup.routes, id, provider));
        for (const f of findings) {
          if (f.ruleId === 'prose-model-mention' && options.prose === false) continue;
          const route = f.wholeLiteral && setup.routes ? suggestionFor(setup.routes, f.id, undefined).route : undefined;
          context.report({
            loc: { start: { line: f.line, column: f.column - 1 }, end: { line: f.line, column: f.endColumn - 1 } },
            messageId: f.ruleId === 'prose-model-mention' ? 'prose' : f.ruleId === 'suppression-without-reason' ? 'suppression' : 'modelId',
            data: { id: f.id, suggestion: f.suggestion, rule: f.ruleId },
            ...(route ? { fix: (fixer: Fixer) => fixer.replaceTextRange([f.start, f.end], route) } : {}),
          });
        }
      },
    };
  },
};

const plugin = {
  meta: { name: 'eslint-plugin-modelplane', version: '0.1.0' },
  rules: { 'no-model-ids': noModelIds },
  configs: {} as Record<string, unknown>,
};

/** `...modelplane.configs.recommended` in a flat config turns the rule on as an error. */
plugin.configs.recommended = { plugins: { modelplane: plugin }, rules: { 'modelplane/no-model-ids': 'error' } };

export default plugin;
