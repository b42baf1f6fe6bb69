// `modelplane replay --live N`: a quality estimate beside the cost estimate. N captured prompts of
// the route (the route's body capture, or log_bodies request lines) are re-sent through the running gateway, pinned to the deployment the candidate
// policy would use most, and scored against the answers users were served (`similar`), so
// "cheaper" comes with "and this much the same".
import type { RouteSnapshot } from '../config/snapshot.js';
import { suiteYamlFrom, type Captured } from '../evals/capture.js';
import { runSuite, type RunOptions, type RunSummary } from '../evals/runner.js';
import { compileSuite } from '../evals/suite.js';
import { parse as parseYaml } from 'yaml';
import { spread } from './replay.js';

export interface LiveEstimate {
  route: string;
  deployment: string;
  prompts: number;
  summary: RunSummary;
}

export async function liveEstimate(cases: readonly Captured[], route: RouteSnapshot, gateway: Pick<RunOptions, 'baseUrl' | 'apiKey' | 'priceOf'>): Promise<LiveEstimate | undefined> {
  const top = spread(route).sort((a, b) => b.share - a.share)[0];
  if (!top || cases.length === 0) return undefined;
  const suite = compileSuite(parseYaml(suiteYamlFrom(route.name, cases)), `${route.name}-live`);
  const run = await runSuite(suite, { ...gateway, target: top.d.id });
  return { route: route.name, deployment: top.d.id, prompts: cases.length, summary: run.summary };
}

export function formatLive(l: LiveEstimate): string {
  const s = l.summary;
  return `live: ${l.prompts} captured prompts of ${l.route} re-sent to ${l.deployment}: ${s.passed}/${s.cases} (${(100 * s.passRate).toFixed(1)}%) answered like the served answer (similarity >= 0.8), ${s.errors} errors, p50 ${Math.round(s.p50LatencyMs)} ms, cost ${s.costUsd === undefined ? 'unknown' : `$${s.costUsd.toFixed(6)}`}\n`;
}
