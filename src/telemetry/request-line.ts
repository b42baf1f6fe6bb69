// The one request line, for every endpoint: written by the lifecycle as its last after-hook, from
// the call's outcome. Field order is the line's contract (docs/operations.md): the fields of
// earlier versions keep their places; new ones go before the optional bodies and the error.

import type { Call } from '../gateway/call.js';
import type { Logger } from './log.js';
import { jsonNum, jsonStr, LEVEL_INFO, LEVEL_WARN, writeLine } from './access-log.js';

export function writeRequestLine(log: Logger, call: Call): void {
  const o = call.outcome;
  const trace = call.trace;
  const r = call.request;
  let f = `"request_id":${jsonStr(call.ex.requestId)},"format":${jsonStr(call.format)}`;
  if (call.route) f += `,"route":${jsonStr(call.route.name)}`;
  f += `,"stream":${r !== undefined && 'stream' in r ? r.stream : false},"status":${o.status},"latency_ms":${Date.now() - call.ex.startedAt},"attempts":${trace.attempts}`;
  if (trace.className !== undefined) f += `,"class":${jsonStr(trace.className)}`;
  if (o.attempt) {
    f += `,"deployment":${jsonStr(o.attempt.deployment.id)},"provider":${jsonStr(o.attempt.deployment.provider.id)}`;
    if (o.attempt.credential) f += `,"credential":${jsonStr(o.attempt.credential.id)}`;
  }
  if (o.ttftMs !== undefined) f += `,"ttft_ms":${jsonNum(o.ttftMs)}`;
  if (o.usage) {
    f += `,"tokens_in":${jsonNum(o.usage.inputTokens)},"tokens_out":${jsonNum(o.usage.outputTokens)}`;
    if (o.usage.cacheReadTokens) f += `,"tokens_cache_read":${jsonNum(o.usage.cacheReadTokens)}`;
  }
  if (o.finish !== undefined) f += `,"finish":${jsonStr(o.finish)}`;
  if (o.resumed) f += `,"resumed":${o.resumed}`;
  if (trace.failures.length) f += `,"fallback_reasons":${JSON.stringify(trace.failures)}`;
  if (o.cache !== undefined) f += `,"cache":${jsonStr(o.cache)}`;
  if (o.costUsd !== undefined) f += `,"cost_usd":${jsonNum(o.costUsd)}`;
  if (o.tier !== undefined) f += `,"tier":${jsonStr(o.tier)}`;
  if (o.routerScore !== undefined) f += `,"router_score":${jsonNum(o.routerScore)}`;
  if (o.escalations !== undefined) f += `,"escalations":${JSON.stringify(o.escalations)}`;
  const c = call.caller;
  if (c.kind !== 'open') f += `,"caller":${jsonStr(c.kind)}`;
  if (c.keyId !== undefined) f += `,"key":${jsonStr(c.keyId)}`;
  if (c.team !== undefined) f += `,"team":${jsonStr(c.team)}`;
  if (c.customer !== undefined) f += `,"customer":${jsonStr(c.customer)}`;
  if (c.agent !== undefined) f += `,"agent":${jsonStr(c.agent)}`;
  if (c.workflow !== undefined) f += `,"workflow":${jsonStr(c.workflow)}`;
  if (o.traceId !== undefined) f += `,"trace_id":${jsonStr(o.traceId)}`;
  if (o.prompt !== undefined) f += `,"prompt":${JSON.stringify(o.prompt)}`;
  if (o.completion !== undefined) f += `,"completion":${jsonStr(o.completion)}`;
  if (o.error) f += `,"error":${jsonStr(o.error.code)},"error_message":${jsonStr(o.error.message)}`;
  writeLine(log, o.status >= 500 || o.error ? LEVEL_WARN : LEVEL_INFO, f, 'request');
}
