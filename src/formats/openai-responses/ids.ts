// Ids the client sees. Output item ids embed their response's id (`msg_<base>_<n>` belongs to
// `resp_<base>`), so an `item_reference` can be resolved with one lookup of the owning response
// instead of a second index over every item ever stored.

export const FORMAT = 'openai-responses' as const;

export function responseId(requestId: string): string {
  return requestId.startsWith('resp_') ? requestId : `resp_${requestId}`;
}

export type ItemKind = 'msg' | 'fc' | 'rs';

export function itemId(respId: string, kind: ItemKind, outputIndex: number): string {
  return `${kind}_${respId.slice('resp_'.length)}_${outputIndex}`;
}

const ITEM_ID = /^(?:msg|fc|rs)_(.+)_\d+$/;

/** The response that produced an output item id, or undefined for ids not minted here. */
export function owningResponseId(id: string): string | undefined {
  const m = ITEM_ID.exec(id);
  return m ? `resp_${m[1]}` : undefined;
}
