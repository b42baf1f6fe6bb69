// AWS SigV4 for bedrock-runtime (signing service name `bedrock`).
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsCredentials } from '../../spec/index.js';

export interface SignInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  region: string;
  credentials: AwsCredentials;
  /** Fixed in tests; the signature covers it. */
  date?: Date;
}

/** Returns the headers to send: the input headers plus x-amz-date, authorization (and token). */
export async function signSigV4(input: SignInput): Promise<Record<string, string>> {
  const url = new URL(input.url);
  const signer = new SignatureV4({ service: 'bedrock', region: input.region, credentials: input.credentials, sha256: Sha256 });
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => {
    query[k] = v;
  });
  const request = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query,
    headers: { ...input.headers, host: url.host },
    body: input.body,
    ...(url.port !== '' ? { port: Number(url.port) } : {}),
  };
  const signed = await signer.sign(request, input.date ? { signingDate: input.date } : {});
  const out: Record<string, string> = {};
  // `host` is derived from the URL by the HTTP client; sending it twice would be an error.
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') out[k] = String(v);
  return out;
}
