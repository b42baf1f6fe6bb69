import type { Strategy } from './types.js';

/** Targets in the order the config lists them: a primary and its fallbacks. */
export const ordered: Strategy = {
  name: 'ordered',
  order: (targets) => targets.slice(),
};
