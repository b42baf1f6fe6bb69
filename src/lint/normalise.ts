// Turns one id-shaped token into the candidates the rules are matched against. Provider ids come
// wrapped in many ways (a Bedrock ARN, a regional inference-profile prefix, a Vertex resource path,
// a hub `org/model` id, an OpenAI `ft:` fine-tune, an OpenRouter `:free` tag, an Ollama `:8b` tag,
// a Vertex `@date` version), and one rule per family should see through all of them.

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Vertex AI: `…/publishers/google/models/<id>[:generateContent|@version]`, also inside URLs. */
const VERTEX_MODEL = /(?:^|\/)publishers\/[^/]+\/models\/([^/:?#@]+)/i;
const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:[a-z-]+\/(.+)$/i;
/** Bedrock cross-region inference profiles: `us.`, `eu.`, `apac.`, `global.` … */
const REGION_PREFIX = /^(?:us|eu|apac|global|us-gov|jp|au|ca|sa)\./i;
/** Bedrock and some hubs prefix the vendor: `anthropic.…`, `meta.…`, `amazon.…`. */
const VENDOR_PREFIX = /^(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|writer|qwen|openai|twelvelabs|stability|luma|google|moonshot|moonshotai|zai)\./i;
/** Bedrock's `-v1:0` version tail (after the `:0` went with the tag). */
const BEDROCK_VERSION = /-v[0-9]+$/i;

/**
 * Candidates to test, most specific first, all lower-case. An empty list means the token is not an
 * id at all (a documentation URL, for instance).
 */
export function candidates(token: string): string[] {
  let t = token.toLowerCase();
  if (URL_SCHEME.test(t)) {
    // Links to documentation are not findings; a Vertex endpoint URL names a model and is one.
    const v = VERTEX_MODEL.exec(t);
    return v ? [v[1]!] : [];
  }
  const out = new Set<string>([t]);
  const vertex = VERTEX_MODEL.exec(t);
  if (vertex) t = vertex[1]!;
  const arn = BEDROCK_ARN.exec(t);
  if (arn) t = arn[1]!;
  // OpenAI fine-tunes: `ft:<base model>:<org>:<name>:<id>`.
  if (t.startsWith('ft:')) t = t.slice(3);
  const slash = t.lastIndexOf('/');
  if (slash >= 0) t = t.slice(slash + 1);
  out.add(t);
  const at = t.indexOf('@');
  if (at > 0) t = t.slice(0, at);
  const colon = t.indexOf(':');
  if (colon > 0) t = t.slice(0, colon);
  out.add(t);
  const noRegion = t.replace(REGION_PREFIX, '');
  const noVendor = noRegion.replace(VENDOR_PREFIX, '');
  out.add(noRegion);
  out.add(noVendor);
  if (noVendor !== t || colon > 0) out.add(noVendor.replace(BEDROCK_VERSION, ''));
  out.delete('');
  return [...out];
}

/** An id-shaped run of characters: letters, digits and the punctuation ids use. */
export const TOKEN = /[A-Za-z0-9@][A-Za-z0-9._:/@-]*/g;

/** Sentence punctuation after a token (`… the model.`) is not part of it. */
export function trimToken(raw: string): string {
  let end = raw.length;
  while (end > 0 && '.:/-@_'.includes(raw[end - 1]!)) end--;
  return raw.slice(0, end);
}
