import { isInteger, isSafeNumber, parse as parseLossless } from "lossless-json";

/**
 * JSON as the vendor sent it. `JSON.parse` rounds integers above 2^53 (Shopify ids can be that
 * large), so values are parsed with those integers as `bigint`, and the raw lake keeps each
 * record's own source text rather than a re-serialisation.
 */

/** A digit run this long may be an integer beyond `Number.MAX_SAFE_INTEGER` (16 digits). */
const MAYBE_UNSAFE_INTEGER = /\d{16}/;

const exactNumber = (text: string): number | bigint =>
  isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);

/**
 * Parses JSON text; integers that a double cannot hold come back as `bigint`. Bodies without a
 * 16-digit run (almost all) take the native parser, which is about four times faster.
 * Throws `SyntaxError` on malformed JSON.
 */
export function parseJsonExact(text: string): unknown {
  if (!MAYBE_UNSAFE_INTEGER.test(text)) return JSON.parse(text);
  return parseLossless(text, null, exactNumber);
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const isSpace = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR;

/**
 * Removes the whitespace between tokens of well-formed JSON and keeps every token byte for byte
 * (numbers, string escapes, key order). Newlines inside JSON strings are always escaped, so the
 * result is one line: an NDJSON-safe copy of exactly what was sent.
 */
export function compactJson(text: string): string {
  const parts: string[] = [];
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (isSpace(c)) {
      if (i > start) parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text.length > start) parts.push(text.slice(start));
  return parts.join("");
}

/**
 * The source text of each element of a well-formed top-level JSON array, compacted. Call it only
 * on text that parsed as an array.
 */
export function jsonArrayElements(text: string): string[] {
  const compact = compactJson(text);
  if (compact.charCodeAt(0) !== OPEN_BRACKET) {
    throw new Error("expected a JSON array");
  }
  const elements: string[] = [];
  let depth = 0;
  let start = 1;
  let inString = false;
  for (let i = 1; i < compact.length; i++) {
    const c = compact.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || (c === CLOSE_BRACKET && depth > 0)) {
      depth--;
    } else if (depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
      if (i > start) elements.push(compact.slice(start, i));
      start = i + 1;
    }
  }
  return elements;
}
