// Onion composition of stages, after hono's `compose`: each stage gets the call and a `next` that
// runs the rest of the chain, ending in the endpoint's producer. With no stages, the composed
// function is the producer itself: the hot path pays nothing for the seam.

import { GatewayError } from '../spec/errors.js';
import type { Answer, Call } from './call.js';
import type { Stage } from './extension.js';

export type Producer = (call: Call) => Promise<Answer>;
export type Composed = (call: Call, produce: Producer) => Promise<Answer>;

const bare: Composed = (call, produce) => produce(call);

export function compose(stages: readonly Stage[]): Composed {
  if (stages.length === 0) return bare;
  return (call, produce) => {
    let index = -1;
    const dispatch = (i: number): Promise<Answer> => {
      // A stage that calls next() twice would run the rest of the chain (and its upstream
      // attempts) twice: refuse it loudly instead.
      if (i <= index) return Promise.reject(new GatewayError('internal_error', 'a stage called next() more than once'));
      index = i;
      const stage = stages[i];
      if (stage === undefined) return produce(call);
      try {
        return stage(call, () => dispatch(i + 1));
      } catch (e) {
        return Promise.reject(e);
      }
    };
    return dispatch(0);
  };
}
