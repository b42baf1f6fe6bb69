// CanonicalRequest -> signed Converse / ConverseStream HTTP request.
import { GatewayError } from '../../spec/index.js';
import type { CanonicalRequest, EgressTarget, UpstreamRequest } from '../../spec/index.js';
import { buildConverseBody } from './build-body.js';
import { signSigV4 } from './sign.js';

export async function buildBedrockRequest(request: CanonicalRequest, target: EgressTarget, date?: Date): Promise<UpstreamRequest> {
  const warnings = new Set<string>();
  const body = JSON.stringify(buildConverseBody(request, target.defaultMaxTokens, warnings));
  const url = new URL(`${target.baseUrl}/model/${encodeURIComponent(target.model)}/${request.stream ? 'converse-stream' : 'converse'}`);
  for (const [k, v] of Object.entries(target.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(target.headers ?? {}) };
  if (request.stream) headers.accept = 'application/vnd.amazon.eventstream';
  else headers.accept = 'application/json';

  let finalHeaders = headers;
  if (target.auth === 'bearer' || target.auth === 'api-key') {
    // Bedrock API keys are plain bearer tokens: no signing.
    if (target.apiKey === undefined) throw new GatewayError('internal_error', `deployment ${target.deploymentId}: Bedrock API key missing`);
    finalHeaders = { ...headers, authorization: `Bearer ${target.apiKey}` };
  } else if (target.auth !== 'none') {
    if (target.aws === undefined) throw new GatewayError('internal_error', `deployment ${target.deploymentId}: AWS credentials missing`);
    const region = target.region ?? /bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(url.hostname)?.[1];
    if (region === undefined) throw new GatewayError('internal_error', `deployment ${target.deploymentId}: AWS region unknown`);
    finalHeaders = await signSigV4({ url: url.toString(), headers, body, region, credentials: target.aws, ...(date ? { date } : {}) });
  }
  return { method: 'POST', url: url.toString(), headers: finalHeaders, body, warnings: [...warnings] };
}
