// `modelplane keys|teams|customers|agents …`: manage run-time tenants in the store the gateway
// reads (it sees each change within a second). The same validation and audit as the admin API.
import { ConfigError } from '../config/load.js';
import { entityView, keyView, teamView } from '../governance/records.js';
import { TenantInputError } from '../governance/tenant-admin.js';
import { parseCommand, renderHelp, UsageError as ArgsUsageError, type CommandSpec, type FlagSpec } from './args.js';
import { parseFormat, render, UsageError } from './output.js';
import { openTenantContext, type TenantCliContext } from './tenant-stores.js';

const str = (description: string, value = 'VALUE', short?: string): FlagSpec => ({ type: 'string', value, description, ...(short ? { short } : {}) });
const COMMON = { config: str('the config file serve uses (it says where the store is)', 'FILE', 'c'), format: str('table | json', 'FORMAT') };
const SETTINGS = {
  budget: str('a budget such as 50/day or 500/month', 'USD/PERIOD'),
  rpm: str('requests per minute', 'N'),
  tpm: str('tokens per minute', 'N'),
  concurrency: str('concurrent requests', 'N'),
  sensitivity: str('sensitivity tier', 'TIER'),
  routes: str("allowed routes, comma-separated globs ('support-*,faq')", 'LIST'),
  providers: str('allowed providers, comma-separated', 'LIST'),
  tiers: str('allowed tiers, comma-separated', 'LIST'),
};
const KEY_FLAGS: Record<string, FlagSpec> = {
  ...COMMON,
  ...SETTINGS,
  name: str('the key\'s name', 'NAME'),
  team: str('the team it belongs to', 'TEAM'),
  customer: str('the customer it is bound to', 'NAME'),
  agent: str('the agent it is bound to', 'NAME'),
  expires: str('expiry', 'ISO-DATE'),
  disable: { type: 'boolean', description: 'disable the key' },
  enable: { type: 'boolean', description: 'enable the key' },
};

/** One spec for every tenant verb: the flags are shared, and unknown ones get the nearest name. */
function commandSpec(noun: string, verb: string | undefined): CommandSpec {
  return { name: verb ? `${noun} ${verb}` : noun, summary: 'Manage run-time tenants in the store the gateway reads.', usage: 'VERB [ID|NAME] [flags]', positionals: 'ID|NAME', flags: KEY_FLAGS, notes: TENANTS_HELP.trimEnd().split('\n') };
}

export const TENANTS_HELP = `tenant commands (each takes --config FILE and --format table|json):
  modelplane keys create [--name N] [--team T] [--customer C] [--agent A] [--budget 50/month]
                         [--rpm N] [--tpm N] [--concurrency N] [--routes 'support-*,faq'] [--providers a,b]
                         [--tiers t1,t2] [--sensitivity TIER] [--expires ISO-DATE]
  modelplane keys list | show ID | update ID [flags] | revoke ID | rotate ID
  modelplane teams create NAME [--budget …] [--rpm …] [--sensitivity …] | list | show NAME | update NAME [flags] | delete NAME
  modelplane customers|agents set NAME [--budget …] [--rpm …] | list | delete NAME
`;

type Values = Record<string, string | boolean | undefined>;

function num(v: string | boolean | undefined, flag: string): number | undefined {
  if (v === undefined || typeof v === 'boolean') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag}: expected a number, got "${v}"`);
  return n;
}

const csvList = (v: string | boolean | undefined) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/** Flags -> the admin API's JSON body (so the CLI and the API share one validator). */
function settingsBody(v: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (typeof v.budget === 'string') body.budget = v.budget;
  const limits: Record<string, number> = {};
  for (const f of ['rpm', 'tpm', 'concurrency'] as const) {
    const n = num(v[f], f);
    if (n !== undefined) limits[f] = n;
  }
  if (Object.keys(limits).length > 0) body.limits = limits;
  if (typeof v.sensitivity === 'string') body.sensitivity = v.sensitivity;
  for (const f of ['routes', 'providers', 'tiers'] as const) {
    const l = csvList(v[f]);
    if (l) body[f] = l;
  }
  return body;
}

function keyBody(v: Values): Record<string, unknown> {
  const body = settingsBody(v);
  for (const f of ['name', 'team', 'customer', 'agent'] as const) if (typeof v[f] === 'string') body[f] = v[f];
  if (typeof v.expires === 'string') body.expires_at = v.expires;
  if (v.disable) body.enabled = false;
  if (v.enable) body.enabled = true;
  return body;
}

const KEY_COLUMNS = ['id', 'name', 'prefix', 'team', 'customer', 'agent', 'status', 'budget', 'limits', 'source', 'created_at'];

export async function runTenantCommand(noun: string, argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  let ctx: TenantCliContext | undefined;
  try {
    const spec = commandSpec(noun, verb?.startsWith('-') ? undefined : verb);
    const parsed = parseCommand(spec, verb?.startsWith('-') ? argv : rest);
    if (parsed.help) {
      process.stdout.write(renderHelp(spec));
      return 0;
    }
    const { values, positionals } = parsed;
    const format = parseFormat(values.format as string | undefined, ['table', 'json']);
    ctx = openTenantContext(values.config as string | undefined);
    const out = await dispatch(ctx, noun, verb, positionals, values, format);
    process.stdout.write(out);
    return 0;
  } catch (e) {
    if (e instanceof ArgsUsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof TenantInputError) {
      process.stderr.write(`modelplane ${noun}: ${e.message}\n`);
      return 1;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    process.stderr.write(`modelplane ${noun}: ${(e as Error).message}\n\n${TENANTS_HELP}`);
    return 2;
  } finally {
    await ctx?.close();
  }
}

function need(positionals: string[], what: string): string {
  const v = positionals[0];
  if (v === undefined) throw new UsageError(`expected ${what}`);
  return v;
}

async function dispatch(ctx: TenantCliContext, noun: string, verb: string | undefined, pos: string[], v: Values, format: 'table' | 'json' | 'csv'): Promise<string> {
  const { admin, actor } = ctx;
  const one = (view: Record<string, unknown>) => render(format, [view], undefined, view);
  if (noun === 'keys') {
    switch (verb) {
      case 'create': {
        const { record, key } = await admin.createKey(keyBody(v), actor);
        const view = { ...keyView(record), key };
        return format === 'json' ? JSON.stringify(view, null, 2) + '\n' : `${key}\n\nkey ${record.id} created; the key above is shown once and stored only as a hash.\n${render('table', [keyView(record)], KEY_COLUMNS)}`;
      }
      case 'list': {
        // A config key whose variable this shell lacks compiled from the placeholder: no prefix to show.
        const all = [...ctx.snapshot.tenants.keys.map((k) => (k.hash === ctx.placeholderHash ? { ...k, prefix: '(env)' } : k)), ...(await admin.listKeys())].map((k) => keyView(k));
        const filtered = typeof v.team === 'string' ? all.filter((k) => k.team === v.team) : all;
        return render(format, filtered, KEY_COLUMNS, { keys: filtered });
      }
      case 'show':
        return one(keyView(await admin.getKey(need(pos, 'a key id'))));
      case 'update':
        return one(keyView(await admin.updateKey(need(pos, 'a key id'), keyBody(v), actor)));
      case 'revoke':
        return one(keyView(await admin.revokeKey(need(pos, 'a key id'), actor)));
      case 'rotate': {
        const { record, key } = await admin.rotateKey(need(pos, 'a key id'), actor);
        return format === 'json' ? JSON.stringify({ ...keyView(record), key }, null, 2) + '\n' : `${key}\n\nkey ${record.id} rotated; the old key stops working within a second.\n`;
      }
    }
  } else if (noun === 'teams') {
    switch (verb) {
      case 'create':
        return one(teamView(await admin.createTeam({ name: need(pos, 'a team name'), ...settingsBody(v) }, actor)));
      case 'list': {
        const teams = (await admin.listTeams()).map(teamView);
        return render(format, teams, ['name', 'budget', 'limits', 'sensitivity', 'routes', 'providers', 'source'], { teams });
      }
      case 'show':
        return one(teamView(await admin.getTeam(need(pos, 'a team name'))));
      case 'update':
        return one(teamView(await admin.updateTeam(need(pos, 'a team name'), settingsBody(v), actor)));
      case 'delete':
        await admin.deleteTeam(need(pos, 'a team name'), actor);
        return `team ${pos[0]} deleted\n`;
    }
  } else if (noun === 'customers' || noun === 'agents') {
    const kind = noun === 'customers' ? 'customer' : 'agent';
    switch (verb) {
      case 'set': {
        const name = need(pos, `a ${kind} name`);
        const exists = (await admin.listEntities(kind)).some((e) => e.name === name);
        const body = settingsBody(v);
        delete body.routes;
        delete body.providers;
        delete body.tiers;
        return one(entityView(exists ? await admin.putEntity(kind, body, actor, name) : await admin.putEntity(kind, { name, ...body }, actor)));
      }
      case 'list': {
        const declared = [...(kind === 'customer' ? ctx.snapshot.tenants.customers : ctx.snapshot.tenants.agents).values()];
        const rows = [...declared, ...(await admin.listEntities(kind))].map(entityView);
        return render(format, rows, ['name', 'budget', 'limits', 'sensitivity', 'source'], { [noun]: rows });
      }
      case 'delete':
        await admin.deleteEntity(kind, need(pos, `a ${kind} name`), actor);
        return `${kind} ${pos[0]} deleted\n`;
    }
  }
  throw new UsageError(verb === undefined ? `expected a subcommand` : `unknown subcommand "${verb}"`);
}
