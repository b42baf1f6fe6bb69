// Ids the client sees: derived from the gateway request id, never the provider's.
export function completionId(requestId: string): string {
  return requestId.startsWith('chatcmpl-') ? requestId : `chatcmpl-${requestId}`;
}
