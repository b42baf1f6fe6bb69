// Shared bits of the benchmark's child-process entry points (mock, bare proxy, load generator, probe).

import { fstatSync } from 'node:fs';

export const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** True for a loopback URL: the benchmark never sends traffic anywhere else. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK.test(new URL(url).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

/** Parses `--name value` pairs. */
export function childArgs(argv: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < argv.length; i += 2) if (argv[i]!.startsWith('--')) m.set(argv[i]!.slice(2), argv[i + 1]!);
  return m;
}

/**
 * The runner keeps our stdin as a pipe; when it closes (the runner ended, even by SIGKILL) we
 * exit too, so no child outlives the run. Only a pipe is watched: run by hand with stdin on a
 * terminal or /dev/null, the child keeps running. Also exits on SIGTERM/SIGINT.
 */
export function exitWithParent(): void {
  let pipe = false;
  try {
    pipe = fstatSync(0).isFIFO();
  } catch {
    // no stdin at all: nothing to watch
  }
  if (pipe) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  }
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
}

/** What a request-sending child (load-node, ttfb-probe) starts with. */
export interface RequestChild {
  args: Map<string, string>;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * The common start of a request-sending child: tie its life to the runner's, read `--url` and
 * the BENCH_HEADERS (JSON) / BENCH_BODY environment, and exit 2 on a non-loopback URL.
 */
export function startRequestChild(name: string): RequestChild {
  exitWithParent();
  const args = childArgs(process.argv.slice(2));
  const url = args.get('url') ?? '';
  if (!isLoopbackUrl(url)) {
    process.stderr.write(`${name}: loopback targets only, got "${url}"\n`);
    process.exit(2);
  }
  return {
    args,
    url,
    headers: JSON.parse(process.env.BENCH_HEADERS ?? '{}') as Record<string, string>,
    body: process.env.BENCH_BODY ?? '{}',
  };
}
