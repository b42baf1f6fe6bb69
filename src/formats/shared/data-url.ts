// Image URLs from OpenAI-style requests (Chat `image_url.url`, Responses `input_image.image_url`)
// -> canonical image source. Both ingress formats accept https URLs and base64 data URLs alike.
import type { ImagePart } from '../../spec/canonical.js';

/** A base64 data URL becomes inline bytes; anything else (https, non-base64 data:) stays a URL. */
export function imageSourceFromUrl(url: string): ImagePart['source'] {
  // indexOf rather than a regex: data URLs can be megabytes long.
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    const meta = comma === -1 ? '' : url.slice(5, comma);
    if (meta.endsWith(';base64')) {
      return { kind: 'base64', mediaType: meta.slice(0, -7) || 'application/octet-stream', data: url.slice(comma + 1) };
    }
  }
  return { kind: 'url', url };
}
