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
const COMMA = 0x2c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_8 = 0x38;
const DIGIT_9 = 0x39;
const LOWER_A = 0x61;
const LOWER_D = 0x64;
const LOWER_E = 0x65;
const LOWER_F = 0x66;
const LOWER_U = 0x75;
const UPPER_E = 0x45;

interface Frame {
  /** The keys seen so far in an object (`undefined` in an array). */
  readonly keys: KeySet | undefined;
  /** In an object, the next string is a key. */
  expectKey: boolean;
}

/** The first defect in well-formed JSON text, or `undefined` when the warehouse can take it. */
export function jsonDefect(text: string): string | undefined {
  const stack: Frame[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // One pass over the string: where it ends, whether it has escapes, and whether it could
      // hold a lone surrogate (a \uD800–\uDFFF escape, or a raw surrogate code unit).
      let end = i + 1;
      let escaped = false;
      let surrogates = false;
      for (; end < length; end++) {
        const d = text.charCodeAt(end);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          if (text.charCodeAt(end + 1) === LOWER_U && isSurrogateEscapeAt(text, end)) {
            surrogates = true;
          }
          end++;
        } else if (d >= 0xd800 && d <= 0xdfff) {
          surrogates = true;
        }
      }
      if (surrogates && hasLoneSurrogate(text.slice(i, end + 1))) return JSON_DEFECTS.loneSurrogate;
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = escaped
          ? (JSON.parse(text.slice(i, end + 1)) as string)
          : text.slice(i + 1, end);
        if (!top.keys.add(key)) return JSON_DEFECTS.duplicateKey;
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (stack.length >= MAX_JSON_DEPTH) return JSON_DEFECTS.tooDeep;
      stack.push({
        keys: c === OPEN_BRACE ? new KeySet() : undefined,
        expectKey: c === OPEN_BRACE,
      });
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
    } else if (c === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      let end = i + 1;
      let exponent = false;
      for (; end < length; end++) {
        const d = text.charCodeAt(end);
        if (d === LOWER_E || d === UPPER_E) exponent = true;
        else if (!isNumberChar(d)) break;
      }
      // Only an exponent, or more digits than a double's range has, can overflow.
      if ((exponent || end - i > 308) && !Number.isFinite(Number(text.slice(i, end)))) {
        return JSON_DEFECTS.numberOutOfRange;
      }
      i = end;
      continue;
    }
    i++;
  }
  return undefined;
}

/**
 * The keys of one object: a short array scanned linearly (most objects have a few keys, and a
 * Set per object was the scan's main cost), switching to a Set when it grows.
 */
class KeySet {
  private list: string[] | undefined = [];
  private set: Set<string> | undefined;

  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    if (this.list) {
      if (this.list.includes(key)) return false;
      this.list.push(key);
      if (this.list.length > 16) {
        this.set = new Set(this.list);
        this.list = undefined;
      }
      return true;
    }
    const set = this.set as Set<string>;
    if (set.has(key)) return false;
    set.add(key);
    return true;
  }
}

/** Whether the escape at `index` (a backslash before `u`) is `\uD800`–`\uDFFF`. */
function isSurrogateEscapeAt(text: string, index: number): boolean {
  if ((text.charCodeAt(index + 2) | 0x20) !== LOWER_D) return false;
  const third = text.charCodeAt(index + 3) | 0x20;
  return third === DIGIT_8 || third === DIGIT_9 || (third >= LOWER_A && third <= LOWER_F);
}

const isNumberChar = (c: number): boolean =>
  (c >= DIGIT_0 && c <= DIGIT_9) || c === 0x2e || c === 0x2b || c === MINUS;

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
