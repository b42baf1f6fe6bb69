// The committed stream, in one generator: the events buffered while deciding to commit, then the
// rest; usage, finish, errors and time to first token recorded into the call's outcome on the
// way; the lifecycle's stream taps called inline on every event; a throw from the upstream body
// turned into a well-formed error event; the upstream released at the end. (One layer instead
// of three: each async-generator layer costs per chunk.)
//
// A stream that fails before any content (only the message start reached the client) is
// replaced silently by the next target of the same plan. With `resume` (opt-in, resume.ts), a
// failure after plain text is spliced over to a continuation instead of ending the stream.

import type { CanonicalEvent } from '../spec/canonical.js';
import { mergeUsage } from '../formats/shared/merge-usage.js';
import { GatewayError } from '../spec/errors.js';
import type { Call } from './call.js';
import type { StreamSuccess } from './attempts.js';
import type { StreamTap } from './extension.js';

/** Replaces a stream that failed before any content, on the same plan, or gives up (undefined). */
export type Fallback = (failure: GatewayError) => Promise<StreamSuccess | undefined>;

/** Continues an interrupted stream elsewhere, or gives up (undefined). See resume.ts. */
export type Resume = (partial: string, failure: GatewayError) => Promise<StreamSuccess | undefined>;

export interface RelayHooks {
  fallback: Fallback;
  resume: Resume | undefined;
  /** A committed attempt failed (reported once, before any replacement is asked for). */
  failed(s: StreamSuccess, e: GatewayError): void;
  taps: readonly StreamTap[];
  /** Redacts an upstream's in-stream error before anyone sees it (attempts.ts upstreamFault). */
  sanitize(e: GatewayError): GatewayError;
}

/** `cur.s` always names the attempt being relayed (the caller releases it on a client abort). */
export async function* relay(call: Call, cur: { s: StreamSuccess }, hooks: RelayHooks): AsyncGenerator<CanonicalEvent> {
  const o = call.outcome;
  const taps = hooks.taps;
  let s = cur.s;
  let partial = '';
  let textOnly = true;
  let trimLead = false;
  let started = false; // the client has its message start
  let content = false; // ... and something after it
  try {
    let i = 0;
    for (;;) {
      let e: CanonicalEvent;
      if (i < s.buffered.length) e = s.buffered[i++]!;
      else {
        let r: IteratorResult<CanonicalEvent>;
        try {
          r = await s.rest.next();
        } catch (err) {
          const cause = s.classify(err);
          r = { done: false, value: { type: 'error', error: cause.code === 'stream_interrupted' ? cause : new GatewayError('stream_interrupted', `upstream stream failed mid-way: ${cause.message}`, { cause, clientMessage: `upstream stream failed mid-way: ${cause.callerMessage}` }) } };
        }
        if (r.done) return;
        e = r.value;
      }
      switch (e.type) {
        case 'usage':
          o.usage = mergeUsage(o.usage, e.usage);
          break;
        case 'finish':
          o.finish = e.reason;
          content = true;
          break;
        case 'error': {
          e = { type: 'error', error: hooks.sanitize(e.error) };
          if (!content) {
            // Only the message start reached the client: the next target answers in its place,
            // as if this attempt had failed before committing.
            hooks.failed(s, e.error);
            s.release();
            const next = await hooks.fallback(e.error);
            if (next) {
              s = cur.s = next;
              o.attempt = next.attempt;
              i = 0;
              continue;
            }
          } else if (hooks.resume && textOnly && partial !== '') {
            hooks.failed(s, e.error);
            s.release();
            const next = await hooks.resume(partial, e.error);
            if (next) {
              s = cur.s = next;
              o.attempt = next.attempt;
              o.resumed = (o.resumed ?? 0) + 1;
              i = 0;
              trimLead = /\s$/.test(partial);
              continue;
            }
          } else hooks.failed(s, e.error);
          o.error = e.error;
          break;
        }
        case 'message-start':
          if (started) continue; // a replacement's own start: the client already has one (fallback or resumption)
          started = true;
          break;
        case 'text-delta':
          if (trimLead) {
            trimLead = false;
            const text = e.text.replace(/^\s+/, '');
            if (text === '') continue;
            e = { type: 'text-delta', text };
          }
          content = true;
          if (hooks.resume) partial += e.text;
          if (o.completion !== undefined) o.completion += e.text;
          if (o.ttftMs === undefined) o.ttftMs = call.ex.clock() - s.startedAt;
          break;
        default:
          content = true;
          textOnly = false;
          if (o.ttftMs === undefined) o.ttftMs = call.ex.clock() - s.startedAt;
      }
      for (let t = 0; t < taps.length; t++) {
        const r = taps[t]!(e);
        if (r === undefined) continue;
        if (r instanceof GatewayError) {
          // A tap ended the stream (e.g. a budget cut-off): the upstream is released below.
          o.error = r;
          e = { type: 'error', error: r };
          break;
        }
        e = r;
      }
      yield e;
      if (e.type === 'error') return;
    }
  } finally {
    s.release();
  }
}
