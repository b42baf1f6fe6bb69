// Who a request is for: team, key, customer and agent from the key; workflow (and customer or
// agent where the key does not bind them) from headers, body metadata or the `user` field.
// Precedence: key-bound value > x-modelplane-* header > body metadata (modelplane_*) >
// body `user` (customer only; Anthropic metadata.user_id arrives as `user`) > key/team defaults.
// A value bound on the key cannot be overridden. Values are bounded: a bad one is a 400 naming
// where it came from.

import type { IncomingHttpHeaders } from 'node:http';
import { TENANT_NAME } from '../config/tenants-schema.js';
import { GatewayError } from '../spec/errors.js';
import type { Principal } from './hierarchy.js';

export interface Attribution {
  keyId?: string;
  team?: string;
  customer?: string;
  agent?: string;
  workflow?: string;
}

type Field = 'customer' | 'agent' | 'workflow';

/** End-user ids in `user` are often emails or UUIDs; allow a little more than names do. */
const USER_VALUE = /^[A-Za-z0-9_.:@+-]{1,128}$/;

function checked(value: string, re: RegExp, source: string): string {
  if (!re.test(value)) {
    throw new GatewayError('invalid_request', `${source}: expected 1-${re === USER_VALUE ? 128 : 64} characters of letters, digits and _ . : @ -${re === USER_VALUE ? ' +' : ''}`, { param: source });
  }
  return value;
}

// Header and metadata names spelled out once: building them per request cost a string each.
const SOURCES = [
  { field: 'customer', header: 'x-modelplane-customer', meta: 'modelplane_customer' },
  { field: 'agent', header: 'x-modelplane-agent', meta: 'modelplane_agent' },
  { field: 'workflow', header: 'x-modelplane-workflow', meta: 'modelplane_workflow' },
] as const satisfies ReadonlyArray<{ field: Field; header: string; meta: string }>;

type Body = { metadata?: Record<string, string> | undefined; user?: string | undefined } | undefined;

export function attribute(headers: IncomingHttpHeaders, body: Body, principal: Principal | undefined): Attribution {
  const key = principal?.key;
  const out: Attribution = {};
  if (key) {
    out.keyId = key.id;
    if (key.team !== undefined) out.team = key.team;
  }
  const metadata = body?.metadata;
  for (const { field: f, header, meta } of SOURCES) {
    const bound: string | undefined = f === 'workflow' ? undefined : key?.[f];
    if (bound !== undefined) {
      out[f] = bound;
      continue;
    }
    const h = headers[header];
    const hv = Array.isArray(h) ? h[0] : h;
    if (hv !== undefined && hv !== '') {
      out[f] = checked(hv, TENANT_NAME, header);
      continue;
    }
    const mv = metadata?.[meta];
    if (typeof mv === 'string' && mv !== '') {
      out[f] = checked(mv, TENANT_NAME, `metadata.${meta}`);
      continue;
    }
    if (f === 'customer' && typeof body?.user === 'string' && body.user !== '') {
      out.customer = checked(body.user, USER_VALUE, 'user');
      continue;
    }
    const dv = principal?.metadata[f];
    if (dv !== undefined) out[f] = dv;
  }
  return out;
}

export type { Field as AttributionField };
