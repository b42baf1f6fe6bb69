// Reads assistant text and reasoning out of a compatible server's message or delta.
import { arr, isObject, str } from '../shared/json.js';

export interface ContentSink {
  text(t: string): void;
  reasoning(t: string): void;
}

/**
 * `content` is a string almost everywhere; Mistral's reasoning models send an array of
 * `{type:'text',text}` and `{type:'thinking',thinking:[{type:'text',text}]}` chunks instead.
 */
export function readContent(content: unknown, sink: ContentSink): void {
  if (typeof content === 'string') {
    if (content !== '') sink.text(content);
    return;
  }
  for (const item of arr(content)) {
    if (!isObject(item)) continue;
    if (item.type === 'text') {
      const t = str(item.text);
      if (t) sink.text(t);
    } else if (item.type === 'thinking') {
      const thinking = item.thinking;
      if (typeof thinking === 'string') {
        if (thinking !== '') sink.reasoning(thinking);
      } else {
        for (const t of arr(thinking)) {
          const s = isObject(t) ? str(t.text) : undefined;
          if (s) sink.reasoning(s);
        }
      }
    }
  }
}

/** DeepSeek/Qwen/vLLM say `reasoning_content`; Ollama and OpenRouter say `reasoning`. */
export function readReasoning(m: Record<string, unknown>): string | undefined {
  const r = str(m.reasoning_content) || str(m.reasoning);
  return r ? r : undefined;
}

/** Tool-call arguments as JSON text; some servers send an object instead of a string. */
export function argumentsText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return JSON.stringify(v);
}
