import { describe, expect, it } from "vitest";
import {
  compactJson,
  jsonArrayElements,
  parseJsonExact,
} from "../../../../functions/core/ingest/json-text.js";

describe("parseJsonExact", () => {
  it("keeps integers above 2^53 exact as bigint", () => {
    const value = parseJsonExact('{"id": 820982911946154508, "n": 12, "price": 2.5}');
    expect(value).toEqual({ id: 820982911946154508n, n: 12, price: 2.5 });
  });

  it("parses bodies without long digit runs the same way JSON.parse does", () => {
    const text = '[{"a":1,"b":"x","c":[true,null,1.25e3]}]';
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  it("treats a 16-digit run inside a string as text, not a number", () => {
    expect(parseJsonExact('{"card":"4111111111111111","n":9007199254740991}')).toEqual({
      card: "4111111111111111",
      n: 9007199254740991,
    });
  });

  it("rejects malformed JSON on both parsing paths", () => {
    expect(() => parseJsonExact('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonExact('{"id": 820982911946154508,')).toThrow();
  });
});

describe("compactJson", () => {
  it("removes whitespace between tokens and keeps tokens byte for byte", () => {
    const text =
      '{\n  "id" : 820982911946154508,\r\n\t"price": "2.50", "x": 1.0E2, "s": "a b\\n\\"c\\" \\u00e9"\n}';
    expect(compactJson(text)).toBe(
      '{"id":820982911946154508,"price":"2.50","x":1.0E2,"s":"a b\\n\\"c\\" \\u00e9"}',
    );
  });

  it("leaves whitespace inside strings alone, including after escaped backslashes", () => {
    expect(compactJson('{ "a" : "x \\\\", "b" : " y " }')).toBe('{"a":"x \\\\","b":" y "}');
  });
});

describe("jsonArrayElements", () => {
  it("returns the compact source text of each top-level element", () => {
    const text =
      '[{"a":[1,2],"b":{"c":"],}"}},\r\n{"id":820982911946154508} , 3, "s,]", [ ], null]\r\n';
    expect(jsonArrayElements(text)).toEqual([
      '{"a":[1,2],"b":{"c":"],}"}}',
      '{"id":820982911946154508}',
      "3",
      '"s,]"',
      "[]",
      "null",
    ]);
  });

  it("returns nothing for an empty array", () => {
    expect(jsonArrayElements(" [ ] ")).toEqual([]);
  });

  it("agrees with JSON.parse element by element on SendGrid's signed multi-event body", () => {
    const body =
      '[{"email":"a@b.c","event":"processed","timestamp":1},\r\n{"email":"a@b.c","event":"bounce","reason":"552 [x], {y}","timestamp":2}]\r\n';
    const elements = jsonArrayElements(body);
    expect(elements.map((e) => JSON.parse(e))).toEqual(JSON.parse(body));
  });
});
