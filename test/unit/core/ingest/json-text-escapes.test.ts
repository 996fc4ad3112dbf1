import { describe, expect, it } from "vitest";
import { compactJson, jsonArrayElements } from "../../../../functions/core/ingest/json-text.js";

/**
 * The raw lake keeps each record's text byte for byte: the scanners must know where strings end,
 * which means honouring backslash escapes (an escaped quote does not close a string).
 */

describe("compactJson keeps the text of strings with escaped quotes", () => {
  it("keeps the spaces between escaped quotes in a delivery note", () => {
    const text = '{ "note" : "He said \\"leave at the door\\"" }';
    expect(compactJson(text)).toBe('{"note":"He said \\"leave at the door\\""}');
    expect(JSON.parse(compactJson(text))).toEqual(JSON.parse(text));
  });

  it("keeps whitespace after an escaped backslash that ends a string", () => {
    const text = '{ "path" : "C:\\\\ ", "next" : "a b" }';
    expect(compactJson(text)).toBe('{"path":"C:\\\\ ","next":"a b"}');
  });

  it("keeps a string that is only an escaped quote and spaces", () => {
    expect(compactJson('[ " \\" " , 1 ]')).toBe('[" \\" ",1]');
  });

  it("removes every kind of JSON whitespace between tokens: space, tab, CR, LF", () => {
    expect(compactJson(' {\t"a"\r:\n1 }\r\n')).toBe('{"a":1}');
  });

  it("keeps a document with no whitespace unchanged", () => {
    expect(compactJson('{"a":[1,{"b":"c"}]}')).toBe('{"a":[1,{"b":"c"}]}');
  });
});

describe("jsonArrayElements does not split inside strings with escaped quotes", () => {
  it("keeps an element whose string holds an escaped quote followed by a comma and a bracket", () => {
    const text = '[{"note":"say \\"hi\\", then ]"},{"note":"b"}]';
    expect(jsonArrayElements(text)).toEqual(['{"note":"say \\"hi\\", then ]"}', '{"note":"b"}']);
  });

  it("keeps the spaces inside an element's escaped quotes", () => {
    const text = '[ {"note" : "He said \\"leave at the door\\""} ]';
    expect(jsonArrayElements(text)).toEqual(['{"note":"He said \\"leave at the door\\""}']);
  });

  it("splits nested arrays and objects only at the top level", () => {
    expect(jsonArrayElements('[[1,[2,3]],{"a":{"b":[4]}},5]')).toEqual([
      "[1,[2,3]]",
      '{"a":{"b":[4]}}',
      "5",
    ]);
  });

  it("refuses text that is not an array", () => {
    expect(() => jsonArrayElements('{"a":1}')).toThrow("expected a JSON array");
  });

  it("keeps the last element when the closing bracket follows it directly", () => {
    expect(jsonArrayElements("[1,22]")).toEqual(["1", "22"]);
  });
});
