// The admin API's endpoint specs, for the server's endpoint table: every /admin/{keys,teams,
// customers,agents,budgets,spend,audit} route runs handleAdmin under the admin key.
import { openaiChat } from '../formats/index.js';
import type { Answer, Call } from '../gateway/call.js';
import { idHeaders, type EndpointSpec } from '../gateway/endpoint.js';
import { writeJson } from '../gateway/render.js';
import { keyMatches, presentedKey } from '../server/auth.js';
import { GatewayError } from '../spec/errors.js';
import { handleAdmin, tenantAdminFor } from './admin-api.js';
import type { Governor } from './governor.js';

const BODY = Symbol('tenants.admin.body');

function spec(method: EndpointSpec['method'], gov: Governor): EndpointSpec {
  const admin = tenantAdminFor(gov);
  return {
    kind: 'admin',
    format: 'openai-chat',
    method,
    auth: 'admin',
    errors: openaiChat,
    idHeaders: idHeaders.plain,
    logged: false,
    decode(call, body) {
      call[BODY] = body;
    },
    async produce(_d, _l, call): Promise<Answer> {
      const url = call.ex.req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      let r;
      try {
        r = await handleAdmin(gov, admin, { method, path, query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)), body: call[BODY], actor: actorOf(call) });
      } catch (e) {
        if (e instanceof URIError) throw new GatewayError('invalid_request', 'the path is not valid percent-encoding');
        throw e;
      }
      if (!r) throw new GatewayError('not_found', `Unknown admin path ${method} ${path}. See docs/tenants.md for the admin API.`);
      return { kind: 'json', status: r.status, body: r.body };
    },
    render(call: Call, answer: Answer) {
      if (answer.kind !== 'json') throw new GatewayError('internal_error', 'admin endpoints answer JSON');
      writeJson(call, answer.status, JSON.stringify(answer.body));
    },
  };
}

/** Which credential opened the admin API, for the audit trail (never the credential itself). */
function actorOf(call: Call): string {
  const auth = call.ex.snapshot.auth;
  const presented = presentedKey(call.ex.req.headers);
  if (auth.adminKey !== undefined && presented !== undefined && keyMatches(presented, auth.adminKey)) return 'admin-key';
  return 'master-key';
}

export function adminEndpoints(gov: Governor): Map<string, EndpointSpec> {
  const get = spec('GET', gov);
  const post = spec('POST', gov);
  const patch = spec('PATCH', gov);
  const del = spec('DELETE', gov);
  const m = new Map<string, EndpointSpec>();
  for (const c of ['keys', 'teams', 'customers', 'agents']) {
    m.set(`GET /admin/${c}`, get);
    m.set(`POST /admin/${c}`, post);
    m.set(`GET /admin/${c}/*`, get);
    m.set(`PATCH /admin/${c}/*`, patch);
    m.set(`DELETE /admin/${c}/*`, del);
    m.set(`POST /admin/${c}/*`, post);
  }
  for (const c of ['budgets', 'spend', 'audit']) m.set(`GET /admin/${c}`, get);
  return m;
}
