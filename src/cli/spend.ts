// `modelplane spend|budgets|audit`: who spent it, where every budget stands, who changed what.
// Reads the same SQLite files the gateway writes (WAL: safe while it runs).
import { ConfigError } from '../config/load.js';
import { Governor } from '../governance/governor.js';
import { parseSince } from '../governance/since.js';
import { GROUP_BY, type GroupBy } from '../store/ledger-store.js';
import { parseCommand, renderHelp, UsageError as ArgsUsageError, type CommandSpec } from './args.js';
import { parseFormat, render, UsageError } from './output.js';
import { openTenantContext, type TenantCliContext } from './tenant-stores.js';

export const SPEND_HELP = `spend commands (each takes --config FILE):
  modelplane spend [--by agent|workflow|customer|team|key|route|deployment|provider|model] [--since 24h]
                   [--team T] [--customer C] [--agent A] [--key ID] [--format table|json|csv]
  modelplane spend export [--since 7d] [--format csv|jsonl]
  modelplane budgets [--format table|json]
  modelplane audit [--since 7d] [--limit 50] [--format table|json]
`;

const FLAGS: CommandSpec['flags'] = {
  config: { type: 'string', short: 'c', value: 'FILE', description: 'the config file serve uses (it says where the ledger is)' },
  format: { type: 'string', value: 'FORMAT', description: 'table | json | csv (spend), csv | jsonl (spend export)' },
  by: { type: 'string', value: 'GROUP', description: GROUP_BY.join(' | ') },
  since: { type: 'string', value: 'WHEN', description: '30m, 24h, 7d, 2w or an ISO date' },
  team: { type: 'string', value: 'TEAM', description: 'only this team' },
  customer: { type: 'string', value: 'NAME', description: 'only this customer' },
  agent: { type: 'string', value: 'NAME', description: 'only this agent' },
  key: { type: 'string', value: 'ID', description: 'only this key' },
  limit: { type: 'string', value: 'N', description: 'rows (audit)' },
};

type SpendFlags = Partial<Record<'config' | 'format' | 'by' | 'since' | 'team' | 'customer' | 'agent' | 'key' | 'limit', string>>;

const silent = { info: () => {}, warn: () => {}, error: () => {} };

export async function runSpendCommand(noun: 'spend' | 'budgets' | 'audit', argv: string[]): Promise<number> {
  let ctx: TenantCliContext | undefined;
  try {
    const spec: CommandSpec = { name: noun, summary: 'Who spent it: the spend ledger, budgets and the admin audit log.', usage: '[export] [flags]', positionals: 'export', flags: FLAGS, notes: SPEND_HELP.trimEnd().split('\n') };
    const parsed = parseCommand(spec, argv);
    if (parsed.help) {
      process.stdout.write(renderHelp(spec));
      return 0;
    }
    // Every flag is a string flag: parseCommand has checked each has a value.
    const v = parsed.values as SpendFlags;
    const positionals = parsed.positionals;
    ctx = openTenantContext(v.config);
    const now = Date.now();
    const since = (d: string) => {
      try {
        return parseSince(v.since ?? d, now);
      } catch (e) {
        throw new UsageError(`--since: ${(e as Error).message}`);
      }
    };
    if (noun === 'spend' && positionals[0] === 'export') {
      const format = v.format ?? 'csv';
      if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format: expected csv | jsonl');
      let header = false;
      const cols = ['ts', 'requestId', 'keyId', 'team', 'customer', 'agent', 'workflow', 'route', 'requestClass', 'deployment', 'provider', 'model', 'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens', 'costUsd', 'status', 'errorCode', 'attempts', 'latencyMs', 'ttftMs', 'cache', 'endpoint'];
      for (const r of ctx.ledger().records({ sinceMs: since('30d') })) {
        const row = { ...r, ts: new Date(r.ts).toISOString() } as Record<string, unknown>;
        if (format === 'jsonl') process.stdout.write(JSON.stringify(row) + '\n');
        else {
          const line = render('csv', [row], cols).split('\n');
          process.stdout.write(header ? `${line[1]}\n` : `${line[0]}\n${line[1]}\n`);
          header = true;
        }
      }
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (noun === 'spend') {
      const format = parseFormat(v.format);
      const by = (v.by ?? 'agent') as GroupBy;
      if (!GROUP_BY.includes(by)) throw new UsageError(`--by: expected one of ${GROUP_BY.join(', ')}`);
      const sinceMs = since('24h');
      const rows = ctx.ledger().spend({
        groupBy: by,
        sinceMs,
        ...(v.team ? { team: v.team } : {}),
        ...(v.customer ? { customer: v.customer } : {}),
        ...(v.agent ? { agent: v.agent } : {}),
        ...(v.key ? { keyId: v.key } : {}),
      });
      const out = rows.map((r) => ({ [by]: r.value ?? '(none)', requests: r.requests, errors: r.errors, input_tokens: r.inputTokens, output_tokens: r.outputTokens, cost_usd: format === 'table' ? r.costUsd.toFixed(4) : Math.round(r.costUsd * 1e6) / 1e6 }));
      process.stdout.write(render(format, out, [by, 'requests', 'errors', 'input_tokens', 'output_tokens', 'cost_usd'], { group_by: by, since: new Date(sinceMs).toISOString(), rows: out }));
      return 0;
    }
    if (noun === 'budgets') {
      const format = parseFormat(v.format, ['table', 'json']);
      const gov = new Governor({ settings: ctx.snapshot.tenants, tenantStore: ctx.tenants, ledgerStore: ctx.ledger(), log: silent });
      await gov.directory.refresh();
      const rows = gov.budgetsView();
      process.stdout.write(render(format, rows, ['budget', 'limit_usd', 'spent_usd', 'remaining_usd', 'period', 'period_end', 'soft_threshold', 'enforce'], { budgets: rows }));
      return 0;
    }
    const format = parseFormat(v.format, ['table', 'json']);
    const limit = v.limit === undefined ? 50 : Number(v.limit);
    const entries = await ctx.tenants.audit({ limit, ...(v.since ? { sinceMs: since('7d') } : {}) });
    const rows = entries.map((e) => ({ at: new Date(e.at).toISOString(), actor: e.actor, action: e.action, kind: e.kind, target: e.target, ...(format === 'json' ? { before: e.before, after: e.after } : {}) }));
    process.stdout.write(render(format, rows, ['at', 'actor', 'action', 'kind', 'target'], { entries: rows }));
    return 0;
  } catch (e) {
    if (e instanceof ArgsUsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    process.stderr.write(`modelplane ${noun}: ${(e as Error).message}\n\n${SPEND_HELP}`);
    return 2;
  } finally {
    await ctx?.close();
  }
}
