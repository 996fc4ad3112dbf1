import { describe, expect, it } from "vitest";
import {
  JSON_DEFECTS,
  jsonDefect,
  MAX_JSON_DEPTH,
} from "../../../../functions/core/ingest/json-defects.js";

describe("jsonDefect", () => {
  it.each([
    ['{"email":"a@b.c","n":[1,2,{"x":"y"}]}'],
    ['{"emoji":"\\ud83d\\ude00","text":"😀 ok"}'],
    ['{"a":{"k":1},"b":{"k":2}}'],
    ['{"k\\u0041":1,"kB":2}'],
    ['["\\\\ud800 is an escaped backslash, not a surrogate"]'],
    ['{"big":820982911946154508,"tiny":-1.5e-300}'],
  ])("finds nothing wrong with %s", (text) => {
    expect(jsonDefect(text)).toBeUndefined();
  });

  it.each([
    ['{"event":"open","ip":"\\ud800"}', "a high surrogate alone"],
    ['{"x":"\\udc00\\ud800"}', "the halves in the wrong order"],
    ['{"x":"a\\ud83dbc"}', "a high surrogate followed by a letter"],
    ['{"x":"\\ud83d\\u0041"}', "a high surrogate followed by another escape"],
    ['{"\\ud800":1}', "a lone surrogate in a key"],
  ])("finds a lone surrogate in %s (%s)", (text) => {
    expect(jsonDefect(text)).toBe(JSON_DEFECTS.loneSurrogate);
  });

  it.each([
    ['{"total_price":"10.00","total_price":"-5.00"}'],
    ['{"customer":{"email":"a@b.c","email":"c@d.e"}}'],
    ['[{"a":1},{"b":2,"b":3}]'],
    ['{"k":1,"\\u006b":2}'],
  ])("finds a repeated key in %s, also nested and behind escapes", (text) => {
    expect(jsonDefect(text)).toBe(JSON_DEFECTS.duplicateKey);
  });

  it("finds a repeated key in a wide object, and none when all 40 keys differ", () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    expect(jsonDefect(`{${keys.join(",")}}`)).toBeUndefined();
    expect(jsonDefect(`{${keys.join(",")},"k3":0}`)).toBe(JSON_DEFECTS.duplicateKey);
  });

  it("finds nesting beyond the warehouse's 500 levels, and accepts exactly 500", () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    expect(jsonDefect(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonDefect(nested(MAX_JSON_DEPTH + 1))).toBe(JSON_DEFECTS.tooDeep);
  });

  it("finds a number no double can hold", () => {
    expect(jsonDefect('{"total":1e999}')).toBe(JSON_DEFECTS.numberOutOfRange);
    expect(jsonDefect('{"total":-1e400}')).toBe(JSON_DEFECTS.numberOutOfRange);
  });
});
