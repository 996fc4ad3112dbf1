import { describe, expect, it } from "vitest";
import {
  checkEnvelope,
  DEFAULT_MAX_BODY_BYTES,
  tooLarge,
} from "../../../../functions/core/ingest/envelope.js";

/** What a webhook request is refused for before a byte of its body is read. */
const post = (headers: Record<string, string | string[]> = {}, max?: number) =>
  checkEnvelope({ method: "POST", headers }, max);

describe("a webhook request's envelope", () => {
  it("is accepted as a POST, in any letter case, without codings or with identity/chunked", () => {
    expect(post()).toBeUndefined();
    expect(checkEnvelope({ method: "post", headers: {} })).toBeUndefined();
    expect(
      post({ "content-encoding": "identity", "transfer-encoding": "chunked" }),
    ).toBeUndefined();
    expect(
      post({ "content-encoding": " Identity , ", "transfer-encoding": ["CHUNKED"] }),
    ).toBeUndefined();
    expect(post({ "content-encoding": "" })).toBeUndefined();
  });

  it.each(["GET", "PUT", "HEAD", "POSTX"])("is refused with 405 for %s", (method) => {
    expect(checkEnvelope({ method, headers: {} })).toEqual({ status: 405, error: "use POST" });
  });

  it.each([["gzip"], ["identity, gzip"], [["identity", "br"]], ["chunked"], ["Deflate"]])(
    "is refused with 415 when the body carries the content coding %j (never inflated)",
    (coding) => {
      expect(post({ "content-encoding": coding })).toEqual({
        status: 415,
        error: "content encodings are not accepted; send the body uncompressed",
      });
    },
  );

  it.each([["gzip"], ["gzip, chunked"], [["chunked", "compress"]]])(
    "is refused with 415 for the transfer coding %j",
    (coding) => {
      expect(post({ "transfer-encoding": coding })).toEqual({
        status: 415,
        error: "transfer encodings other than chunked are not accepted",
      });
    },
  );

  it("is refused with 413 when it declares more than the limit, and taken at exactly the limit", () => {
    expect(post({ "content-length": "1001" }, 1000)).toEqual({
      status: 413,
      error: "body larger than 1000 bytes",
    });
    expect(post({ "content-length": "1000" }, 1000)).toBeUndefined();
    expect(post({ "content-length": " 1000 " }, 1000)).toBeUndefined();
    expect(post({ "content-length": "0" }, 1000)).toBeUndefined();
  });

  it("limits to 5 MiB unless told otherwise", () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(5 * 1024 * 1024);
    expect(post({ "content-length": String(5 * 1024 * 1024) })).toBeUndefined();
    expect(post({ "content-length": String(5 * 1024 * 1024 + 1) })).toEqual(tooLarge(5_242_880));
    expect(tooLarge(5_242_880)).toEqual({ status: 413, error: "body larger than 5242880 bytes" });
  });

  it.each(["-1", "1e3", "12a", "0x10", "", "1 2", "1234567890123456", "+5"])(
    "is refused with 400 for the content-length %j",
    (value) => {
      expect(post({ "content-length": value })).toEqual({
        status: 400,
        error: "invalid content-length",
      });
    },
  );

  it("takes a 15-digit content-length as a number (then too large)", () => {
    expect(post({ "content-length": "123456789012345" })).toEqual(tooLarge(DEFAULT_MAX_BODY_BYTES));
  });
});
