// `${VAR}` and `${VAR:-default}` interpolation. References are swapped for inert placeholder
// tokens before YAML parsing (so `{ key: ${VAR} }` in flow style parses, and a secret containing
// YAML syntax cannot change the document's structure), then resolved in the parsed string values.
// `$${` escapes a literal `${`.

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface EnvRef {
  name: string;
  fallback?: string;
}

export function protectRefs(text: string): { text: string; refs: EnvRef[] } {
  const refs: EnvRef[] = [];
  const out = text.replace(REF, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '__MPDOLLAR__{';
    const ref: EnvRef = { name: name! };
    if (fallback !== undefined) ref.fallback = fallback;
    refs.push(ref);
    return `__MPENV${refs.length - 1}__`;
  });
  return { text: out, refs };
}

const TOKEN = /__MPENV(\d+)__|__MPDOLLAR__/g;

export function resolveRefs(node: unknown, refs: EnvRef[], env: NodeJS.ProcessEnv, missing: string[], path = ''): unknown {
  if (typeof node === 'string') {
    if (!node.includes('__MP')) return node;
    return node.replace(TOKEN, (m, idx: string | undefined) => {
      if (m === '__MPDOLLAR__') return '$';
      const ref = refs[Number(idx)]!;
      const v = env[ref.name];
      if (v !== undefined && v !== '') return v;
      if (ref.fallback !== undefined) return ref.fallback;
      missing.push(`${path || '(root)'} (\${${ref.name}})`);
      return '';
    });
  }
  if (Array.isArray(node)) return node.map((v, i) => resolveRefs(v, refs, env, missing, `${path}[${i}]`));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = resolveRefs(v, refs, env, missing, path ? `${path}.${k}` : k);
    return out;
  }
  return node;
}
