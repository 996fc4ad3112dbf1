import { describe, expect, it } from "vitest";
import { blocks, loadConfig, MAYBE } from "./hcl.js";

/** The static evaluator terraform.test.ts relies on: what it expands, and what it refuses. */

/** `tf("var.x")` is the string `${var.x}`, as the evaluated bodies write unknown values. */
const tf = (expression: string): string => `\${${expression}}`;
const load = (source: string) => loadConfig({ "main.tf": source });
const VARIABLES = `
variable "on" {
  type = bool
}
variable "name" {
  type = string
}
`;

describe("test/infra/hcl.ts", () => {
  it("expands for_each over a local map, with each.key and each.value, and resolves instance references", async () => {
    const config = await load(`${VARIABLES}
locals {
  things = {
    a = { size = 1, public = true }
    b = { size = 2, public = false }
  }
}
resource "x_account" "sa" {
  for_each = local.things
  name     = "sa-\${each.key}"
}
resource "x_thing" "t" {
  for_each = local.things
  size     = each.value.size * 10
  member   = each.value.public ? "allUsers" : x_account.sa[each.key].member
  label    = "\${var.name}-\${each.key}"
}`);
    const things = config.resources.filter((r) => r.type === "x_thing");
    expect(things.map((t) => [t.id, t.body])).toEqual([
      ['t["a"]', { size: 10, member: "allUsers", label: `${tf("var.name")}-a` }],
      [
        't["b"]',
        { size: 20, member: tf('x_account.sa["b"].member'), label: `${tf("var.name")}-b` },
      ],
    ]);
  });

  it("refuses an index into a for_each resource with a key it does not have", async () => {
    await expect(
      load(`
resource "x_account" "sa" {
  for_each = toset(["a"])
  name     = each.key
}
resource "x_thing" "t" {
  member = x_account.sa["b"].member
}`),
    ).rejects.toThrow(/no key "b"/);
  });

  it("refuses undeclared locals, variables and resources, and unknown functions", async () => {
    await expect(load(`resource "x_thing" "t" {\n  a = local.nope\n}`)).rejects.toThrow(
      /local\.nope is not declared/,
    );
    await expect(load(`resource "x_thing" "t" {\n  a = var.nope\n}`)).rejects.toThrow(
      /var\.nope is not declared/,
    );
    await expect(load(`resource "x_thing" "t" {\n  a = x_other.nope.id\n}`)).rejects.toThrow(
      /x_other\.nope is not declared/,
    );
    await expect(load(`resource "x_thing" "t" {\n  a = upper("x")\n}`)).rejects.toThrow(
      /function upper is not supported/,
    );
  });

  it("marks what exists only for some values of the variables, and only that", async () => {
    const config = await load(`${VARIABLES}
locals {
  items = {
    always = { when = true }
    sometimes = { when = var.on }
  }
}
resource "x_thing" "t" {
  dynamic "entry" {
    for_each = { for k, v in local.items : k => v if v.when }
    content {
      name = entry.key
    }
  }
  dynamic "extra" {
    for_each = var.on ? [1] : []
    content {
      n = extra.value
    }
  }
}
resource "x_thing" "counted" {
  count = var.on ? 1 : 0
}`);
    const t = config.resources.find((r) => r.id === "t");
    const counted = config.resources.find((r) => r.name === "counted");
    expect(blocks(t?.body.entry)).toEqual([
      { name: "always" },
      { name: "sometimes", [MAYBE]: true },
    ]);
    expect(blocks(t?.body.extra)).toEqual([{ n: 1, [MAYBE]: true }]);
    expect([counted?.id, counted?.maybe]).toEqual(["counted[0]", true]);
  });

  it("refuses a dynamic block whose for_each cannot be expanded", async () => {
    await expect(
      load(`${VARIABLES}
resource "x_thing" "t" {
  dynamic "entry" {
    for_each = var.name
    content {}
  }
}`),
    ).rejects.toThrow(/cannot be expanded statically/);
  });

  it("evaluates templates, conditionals inside them, merge/concat/join and the expansion operator", async () => {
    const config = await load(`${VARIABLES}
locals {
  kinds  = { a = "x", b = "y" }
  lists  = { a = ["1", "2"], b = ["3"] }
  pairs  = merge([for k, l in local.lists : { for v in l : "\${k}/\${v}" => v }]...)
  joined = join(" || ", concat(["p(\\"\${var.name}\\")"], ["q"]))
}
resource "x_thing" "t" {
  for_each = local.kinds
  id       = "u-\${each.value == "x" ? "first" : "second"}-\${each.key}"
}`);
    expect(config.resources.map((r) => r.body.id)).toEqual(["u-first-a", "u-second-b"]);
    expect(await config.local("pairs")).toEqual({ "a/1": "1", "a/2": "2", "b/3": "3" });
    const joined = await config.local("joined");
    expect(joined).toMatchObject({ template: `p("${tf("var.name")}") || q` });
  });
});
