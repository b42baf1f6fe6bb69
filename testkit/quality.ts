// Deterministic answer quality for the simulator, so that routing by difficulty (strategy: auto)
// is measurable end to end: each upstream model has a skill, each prompt a difficulty, and a
// model answers a prompt well exactly when difficulty <= skill. A bad answer is either a
// confident wrong one ("Simulated wrong reply to: ...", which no cheap check can catch) or a
// short hedge ("I'm not sure about: ...", which the cascade's hedge check catches). Tests count
// good answers by their text: a good one starts "Simulated reply to:", as every generated reply
// does without a quality model.

export type Verdict = 'good' | 'wrong' | 'hedge';

export interface QualityModel {
  /** Skill per upstream model id (the model the deployment names), in [0, 1]. Models not listed always answer well. */
  skill: Record<string, number>;
  /** A prompt's difficulty in [0, 1]. Default: a `[difficulty=0.7]` tag in the prompt, else 0.5. */
  difficulty?: (prompt: string) => number;
  /** What a bad answer looks like (default `wrong`). */
  failure?: 'wrong' | 'hedge';
}

const TAG = /\[difficulty=(0(?:\.\d+)?|1(?:\.0+)?)\]/;

export function tagDifficulty(prompt: string): number {
  const m = TAG.exec(prompt);
  return m ? Number(m[1]) : 0.5;
}

export function judge(q: QualityModel, model: string, prompt: string): Verdict {
  const skill = q.skill[model];
  if (skill === undefined) return 'good';
  const d = (q.difficulty ?? tagDifficulty)(prompt);
  return d <= skill ? 'good' : q.failure ?? 'wrong';
}

/** The reply text for a verdict (the good one is the generator's usual reply). */
export function judgedText(verdict: Verdict | undefined, prompt: string, usual: string): string {
  if (verdict === 'wrong') return usual.replace(/^Simulated reply/, 'Simulated wrong reply');
  if (verdict === 'hedge') return `I'm not sure about: ${prompt.trim().slice(0, 40)}`;
  return usual;
}

/** Whether a generated reply was a good answer (for tests that measure quality end to end). */
export const isGoodReply = (text: string): boolean => text.startsWith('Simulated reply to:') || text.startsWith('Simulated reply.');
