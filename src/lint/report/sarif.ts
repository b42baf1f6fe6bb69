// `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it: every rule described in the
// driver, results with rule ids and indexes, locations relative to the checkout (%SRCROOT%), and
// partial fingerprints so an alert keeps its identity when lines move.

import type { LintResult } from '../engine.js';
import { BUILTIN_RULES, META_RULES } from '../rules.js';
import { DIRECTIVE } from '../suppressions.js';

const TOOL_VERSION = '0.1.0';

export function formatSarif(result: LintResult): string {
  const rules = [
    ...META_RULES.map((r) => ({ id: r.id, description: r.description, severity: r.severity })),
    ...BUILTIN_RULES.map((r) => ({ id: r.id, description: r.description, severity: r.severity })),
  ];
  for (const f of result.findings) {
    if (!rules.some((r) => r.id === f.ruleId)) rules.push({ id: f.ruleId, description: `rule ${f.ruleId} from .modelplane-lint.yaml`, severity: f.severity });
  }
  const indexOf = new Map(rules.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'modelplane-lint',
            version: TOOL_VERSION,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase()),
              shortDescription: { text: r.description },
              fullDescription: { text: `${r.description}. Application code should name a gateway route; the model behind it belongs in the gateway config.` },
              defaultConfiguration: { level: r.severity },
              help: { text: `Call a route (e.g. "support-triage") and map it to models in the gateway config. Suppress a deliberate use with \`${DIRECTIVE}: <reason>\`.` },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The directory modelplane lint ran in.' } } },
        columnKind: 'utf16CodeUnits',
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: indexOf.get(f.ruleId)!,
          level: f.severity,
          message: { text: `${f.message}: ${f.suggestion}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, startColumn: f.column, endColumn: f.endColumn },
              },
            },
          ],
          partialFingerprints: { 'modelplaneFinding/v1': f.fingerprint },
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
