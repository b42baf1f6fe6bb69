// A path segment as the caller meant it. Malformed percent-encoding (`%E0%A4%A`, a lone `%`) is
// the caller's mistake: a 400 naming it, never the URIError that decodeURIComponent throws.
import { GatewayError } from '../spec/errors.js';

export function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    const shown = raw.length > 100 ? `${raw.slice(0, 100)}…` : raw;
    throw new GatewayError('invalid_request', `the path segment '${shown}' is not valid percent-encoding`);
  }
}
