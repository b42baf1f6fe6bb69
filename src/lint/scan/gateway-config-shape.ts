// Recognises a modelplane gateway config by its shape, so a user's config files (where model ids
// belong) are skipped by convention, whatever they are named.

const TOP_LEVEL = /^(providers|deployments|routes):/gm;

/** A YAML text with top-level `deployments:` and `routes:` (and usually `providers:`) keys. */
export function looksLikeGatewayConfig(text: string): boolean {
  const keys = new Set<string>();
  TOP_LEVEL.lastIndex = 0;
  for (let m = TOP_LEVEL.exec(text); m; m = TOP_LEVEL.exec(text)) keys.add(m[1]!);
  return keys.has('deployments') && keys.has('routes');
}

/** Conventional names of gateway config files. */
export function isConventionalConfigName(name: string): boolean {
  return /^(?:modelplane|gateway)(?:[.-][\w-]+)?\.ya?ml$/i.test(name);
}
