/**
 * JSON that parses, yet must not land in raw: the warehouse would refuse the whole file it sits
 * in, or would read other values than our validation read. Found in one pass over a record's
 * own text (already known to be well-formed JSON), so each defect quarantines one record with a
 * reason, and the rest of the delivery lands.
 */

/** BigQuery's documented nesting limit for the JSON type. */
export const MAX_JSON_DEPTH = 500;

export const JSON_DEFECTS = {
  loneSurrogate:
    "contains an unpaired UTF-16 surrogate escape (e.g. \\ud800): not valid Unicode, the warehouse cannot load it",
  duplicateKey:
    "an object repeats a key: readers disagree on which value counts (validation saw the last, the warehouse reads the first)",
  tooDeep: `nested deeper than ${MAX_JSON_DEPTH} levels, the warehouse's limit for JSON`,
  numberOutOfRange: "a number is too large for a double: the warehouse cannot hold it",
} as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

interface Frame {
  readonly keys: Set<string> | undefined;
  /** In an object, the next string is a key. */
  expectKey: boolean;
}

/** The first defect in well-formed JSON text, or `undefined` when the warehouse can take it. */
export function jsonDefect(text: string): string | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const literal = text.slice(i, end + 1);
      if (hasLoneSurrogate(literal)) return JSON_DEFECTS.loneSurrogate;
      if (top?.keys && top.expectKey) {
        const key = literal.includes("\\") ? (JSON.parse(literal) as string) : literal.slice(1, -1);
        if (top.keys.has(key)) return JSON_DEFECTS.duplicateKey;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (stack.length >= MAX_JSON_DEPTH) return JSON_DEFECTS.tooDeep;
      stack.push({ keys: c === OPEN_BRACE ? new Set() : undefined, expectKey: c === OPEN_BRACE });
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
    } else if (c === COMMA) {
      if (top?.keys) top.expectKey = true;
    } else if (c === COLON) {
      if (top) top.expectKey = false;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      if (!Number.isFinite(Number(text.slice(i, end)))) return JSON_DEFECTS.numberOutOfRange;
      i = end;
      continue;
    }
    i++;
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return text.length - 1;
}

const isNumberChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;

const HIGH = /^\\u[dD][89abAB][0-9a-fA-F]{2}$/;
const LOW = /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/;

/**
 * Whether a JSON string literal holds a surrogate escape without its partner (`\ud800` alone,
 * or a low half first). Raw surrogate code units cannot occur: the text came from strict UTF-8.
 */
function hasLoneSurrogate(literal: string): boolean {
  if (!/\\u[dD][89a-fA-F]/.test(literal)) return hasRawLoneSurrogate(literal);
  let pendingHigh = false;
  for (let i = 1; i < literal.length - 1; i++) {
    if (literal.charCodeAt(i) !== BACKSLASH) {
      if (pendingHigh) return true;
      continue;
    }
    const sequence = literal.slice(i, i + 6);
    if (HIGH.test(sequence)) {
      if (pendingHigh) return true;
      pendingHigh = true;
      i += 5;
    } else if (LOW.test(sequence)) {
      if (!pendingHigh) return true;
      pendingHigh = false;
      i += 5;
    } else {
      if (pendingHigh) return true;
      i++;
    }
  }
  return pendingHigh || hasRawLoneSurrogate(literal);
}

/** Surrogate code units in the text itself (only possible when the text did not come from UTF-8). */
function hasRawLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}
