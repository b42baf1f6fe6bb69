// `--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

import type { LintResult } from '../engine.js';
import { summary } from './text.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function formatGithub(result: LintResult): string {
  const lines = result.findings.map((f) => {
    const props = [`file=${escapeProperty(f.file)}`, `line=${f.line}`, `col=${f.column}`, `endColumn=${f.endColumn}`, `title=${escapeProperty(`modelplane lint (${f.ruleId})`)}`];
    return `::${f.severity} ${props.join(',')}::${escapeData(`${f.message}: ${f.suggestion}`)}`;
  });
  lines.push(summary(result));
  return lines.join('\n') + '\n';
}
