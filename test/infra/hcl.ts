import { createRequire } from "node:module";

/**
 * A static reading of a Terraform configuration for offline review: every `.tf` file is parsed
 * with @cdktf/hcl2json (HCL's own Go parser, compiled to WASM), then every resource's `for_each` /
 * `count` and every `dynamic` block is expanded and every expression evaluated as far as the
 * configuration alone allows. What depends on input variables, data sources or resource attributes
 * stays symbolic (`Unknown`) and is written back as the reference Terraform would resolve, e.g.
 * `${google_service_account.fn["load_raw"].member}`, so assertions read the same strings they
 * would read in the source.
 *
 * It is strict on purpose: an expression it cannot evaluate, a function it does not know, a
 * reference to an undeclared resource, variable or local, an index into a `for_each` resource with
 * a key it does not have, or a `for_each` it cannot expand throws. A test built on it therefore
 * fails rather than passing over something it could not see.
 */

// Loaded through require so its `/// <reference lib="dom" />` types stay out of the project's
// type-check.
const hcl2json = createRequire(import.meta.url)("@cdktf/hcl2json") as {
  parse: (filename: string, contents: string) => Promise<Record<string, unknown>>;
  getExpressionAst: (filename: string, expression: string) => Promise<Ast | null>;
};

interface Ast {
  readonly type: string;
  readonly meta: Record<string, unknown>;
  readonly children: Ast[] | null;
}

/** A value only known when Terraform runs: `text` is the expression it stands for. */
export class Unknown {
  constructor(
    readonly text: string,
    /** For a collection that depends on an unknown condition: every element it may hold. */
    readonly possible?: Value,
    /** For a string template with unknown parts: the template, `${…}` around each unknown part. */
    readonly template?: string,
    /** For a map filtered by a condition that is unknown for some keys: the keys it surely has. */
    readonly certain?: readonly string[],
  ) {}
}

export type Value = null | boolean | number | string | Unknown | Value[] | { [key: string]: Value };
type Obj = { [key: string]: Value };

/** A body as the assertions read it: hcl2json's shape (blocks are arrays of objects), evaluated. */
export type Block = Record<string, unknown>;

export interface Instance {
  readonly type: string;
  /** The resource's name in the configuration, e.g. `fn`. */
  readonly name: string;
  /** The `for_each` key or `count` index, if any. */
  readonly key?: string | number;
  /** `fn["load_raw"]`, `scheduled[0]` or `lake`: what a reference to this instance names. */
  readonly id: string;
  readonly body: Block;
  readonly file: string;
  /** Whether this instance exists depends on input variables (unknown `count` or `for_each`). */
  readonly maybe: boolean;
}

export interface Config {
  readonly resources: Instance[];
  readonly data: Instance[];
  readonly variables: Map<string, Block>;
  readonly locals: Set<string>;
  /** Every parsed file, for scans over all expressions (comments are not in it). */
  readonly documents: Record<string, unknown>[];
  /** The value of `local.<name>`. */
  readonly local: (name: string) => Promise<Value>;
}

/** Blocks dynamic expansion marks when they exist only for some values of the variables. */
export const MAYBE = "__maybe";

const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Unknown);

/** HCL blocks become arrays of objects in JSON; a block given once is still an array. */
export function blocks(value: unknown): Block[] {
  if (Array.isArray(value)) return value.filter((v): v is Block => typeof v === "object");
  return typeof value === "object" && value !== null ? [value as Block] : [];
}

function first(value: unknown): Block {
  const [block] = blocks(value);
  if (!block) throw new Error(`expected a block, got ${JSON.stringify(value)}`);
  return block;
}

// ---------------------------------------------------------------------------------------------
// Rendering values back to HCL text
// ---------------------------------------------------------------------------------------------

export function render(v: Value): string {
  if (v instanceof Unknown) return v.text;
  if (v === null || typeof v === "boolean" || typeof v === "number") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(render).join(", ")}]`;
  const items = Object.entries(v).map(
    ([k, x]) => `${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)} = ${render(x)}`,
  );
  return `{ ${items.join(", ")} }`;
}

/** A value in a string template: unknown parts stay `${…}`. */
function inTemplate(v: Value, where: string): string {
  if (v instanceof Unknown) return v.template ?? `\${${v.text}}`;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new Error(`${where}: cannot interpolate ${render(v)} into a string`);
}

/** The evaluated value in hcl2json's notation: unknowns as `${…}` strings. */
function toPlain(v: Value): unknown {
  if (v instanceof Unknown) return v.template ?? `\${${v.text}}`;
  if (Array.isArray(v)) return v.map(toPlain);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  return v;
}

function isKnownDeep(v: Value): boolean {
  if (v instanceof Unknown) return false;
  if (Array.isArray(v)) return v.every(isKnownDeep);
  if (isObj(v)) return Object.values(v).every(isKnownDeep);
  return true;
}

function equal(a: Value, b: Value): boolean {
  return JSON.stringify(toPlain(a)) === JSON.stringify(toPlain(b));
}

// ---------------------------------------------------------------------------------------------
// Templates as hcl2json writes them: decoded literal text, `${raw expression}` parts
// ---------------------------------------------------------------------------------------------

type TemplatePart = { literal: string } | { expression: string };

/** Index just past the `"` that closes a string literal whose text starts at `i`. */
function skipString(s: string, i: number): number {
  while (i < s.length) {
    if (s[i] === "\\") i += 2;
    else if (s[i] === '"') return i + 1;
    else if (s.startsWith("$${", i) || s.startsWith("%%{", i)) i += 3;
    else if (s.startsWith("${", i) || s.startsWith("%{", i)) i = closingBrace(s, i + 2) + 1;
    else i++;
  }
  throw new Error(`unterminated string in ${s}`);
}

/** Index of the `}` that closes an interpolation whose expression starts at `i`. */
function closingBrace(s: string, i: number): number {
  let depth = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = skipString(s, i + 1);
      continue;
    }
    if (c === "{") depth++;
    if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
    i++;
  }
  throw new Error(`unterminated interpolation in ${s}`);
}

function templateParts(s: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("$${", i) || s.startsWith("%%{", i)) {
      literal += s.slice(i + 1, i + 3);
      i += 3;
    } else if (s.startsWith("${", i)) {
      const end = closingBrace(s, i + 2);
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({
        expression: s
          .slice(i + 2, end)
          .replace(/^~/, "")
          .replace(/~$/, ""),
      });
      i = end + 1;
    } else {
      literal += s[i];
      i++;
    }
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

/**
 * hcl2json writes a conditional inside a template as a directive (`%{if c}a%{else}b%{endif}`).
 * Such a string goes back to HCL source, literal text escaped, to be parsed as a whole.
 */
function hasDirective(s: string): boolean {
  return /(^|[^%])%\{/.test(s);
}

function templateSource(s: string): string {
  let out = '"';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("$${", i) || s.startsWith("%%{", i)) {
      out += s.slice(i, i + 3);
      i += 3;
    } else if (s.startsWith("${", i) || s.startsWith("%{", i)) {
      const end = closingBrace(s, i + 2);
      out += s.slice(i, end + 1);
      i = end + 1;
    } else {
      const c = s[i] as string;
      out += c === '"' || c === "\\" ? `\\${c}` : c === "\n" ? "\\n" : c;
      i++;
    }
  }
  return `${out}"`;
}

/** Literal text of a template in the AST is source text: undo HCL's escapes. */
function unescapeHcl(source: string): string {
  return source
    .replace(/\$\$\{/g, "${")
    .replace(/%%\{/g, "%{")
    .replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
      if (e.length > 1) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
      const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };
      const out = simple[e];
      if (out === undefined) throw new Error(`unknown escape \\${e} in ${source}`);
      return out;
    });
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

type Fn = (args: Value[], where: string) => Value;

const asString = (v: Value, where: string): string => {
  if (typeof v !== "string") throw new Error(`${where}: expected a string, got ${render(v)}`);
  return v;
};
const asList = (v: Value, where: string): Value[] => {
  if (!Array.isArray(v)) throw new Error(`${where}: expected a list, got ${render(v)}`);
  return v;
};
const asObject = (v: Value, where: string): Obj => {
  if (!isObj(v)) throw new Error(`${where}: expected a map or object, got ${render(v)}`);
  return v;
};
const sortedKeys = (o: Obj): string[] => Object.keys(o).sort();

/** What `for` and `dynamic` iterate: a list by index, a map or object by key in lexical order. */
function entriesOf(collection: Value, where: string): Array<[string | number, Value]> {
  if (Array.isArray(collection)) return collection.map((v, i) => [i, v]);
  const o = asObject(collection, where);
  return sortedKeys(o).map((k) => [k, o[k] ?? null]);
}

/** The functions infra/ uses, called with every argument known at the top level (elements may be
 * unknown). Any other function throws: add it here when the configuration starts using it. */
const FUNCTIONS: Record<string, Fn> = {
  merge: (args, w) => Object.assign({}, ...args.map((a) => (a === null ? {} : asObject(a, w)))),
  concat: (args, w) => args.flatMap((a) => asList(a, w)),
  toset: (args, w) => {
    const list = asList(args[0] ?? null, w);
    if (!isKnownDeep(list)) return new Unknown(`toset(${render(list)})`);
    return [...new Set(list.map((v) => asString(v, w)))].sort();
  },
  values: (args, w) => {
    const o = asObject(args[0] ?? null, w);
    return sortedKeys(o).map((k) => o[k] ?? null);
  },
  // Joining strings some of which are templates with unknown parts makes such a template.
  join: (args, w) => {
    const separator = asString(args[0] ?? null, w);
    const list = asList(args[1] ?? null, w);
    for (const x of list) if (!(x instanceof Unknown)) asString(x, w);
    return joinTemplate(
      list.flatMap((x, i) => (i === 0 ? [x] : [separator, x])),
      w,
    );
  },
  trimprefix: (args, w) => {
    const [s, p] = [asString(args[0] ?? null, w), asString(args[1] ?? null, w)];
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  trimsuffix: (args, w) => {
    const [s, p] = [asString(args[0] ?? null, w), asString(args[1] ?? null, w)];
    return p && s.endsWith(p) ? s.slice(0, -p.length) : s;
  },
  coalesce: (args) => {
    for (const a of args) {
      if (a instanceof Unknown) return new Unknown(`coalesce(${args.map(render).join(", ")})`);
      if (a !== null && a !== "") return a;
    }
    throw new Error("coalesce: no non-null argument");
  },
};

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

type Scope = ReadonlyMap<string, Value>;

interface Declaration {
  readonly type: string;
  readonly name: string;
  readonly body: Block;
  readonly file: string;
}

/** The instances a resource has: keys, or `maybe` when they depend on variables. */
interface Expansion {
  readonly kind: "single" | "for_each" | "count";
  readonly instances: Array<{ key?: string | number; each: Scope; maybe: boolean }>;
  /** The instance keys are not known statically. */
  readonly unknownKeys: boolean;
}

const META_ARGUMENTS = new Set(["for_each", "count", "depends_on", "provider", "lifecycle"]);
const EMPTY: Scope = new Map();

class Evaluator {
  private readonly asts = new Map<string, Promise<Ast>>();
  private readonly localValues = new Map<string, Promise<Value>>();
  private readonly expansions = new Map<string, Promise<Expansion>>();
  private readonly evaluating = new Set<string>();

  constructor(
    private readonly resources: Map<string, Declaration>,
    private readonly locals: Map<string, unknown>,
    private readonly variables: Map<string, Block>,
  ) {}

  private ast(expression: string): Promise<Ast> {
    let ast = this.asts.get(expression);
    if (!ast) {
      ast = hcl2json.getExpressionAst("expression.tf", expression).then((a) => {
        if (!a) throw new Error(`cannot parse ${expression}`);
        return a;
      });
      this.asts.set(expression, ast);
    }
    return ast;
  }

  /** A value as hcl2json wrote it (decoded strings with `${…}` parts, numbers, arrays, objects). */
  async json(value: unknown, scope: Scope, where: string): Promise<Value> {
    if (value === null || typeof value === "number" || typeof value === "boolean") return value;
    if (typeof value === "string") {
      if (hasDirective(value)) return this.expression(templateSource(value), scope, where);
      return this.template(templateParts(value), scope, where);
    }
    if (Array.isArray(value)) {
      const out: Value[] = [];
      for (const v of value) out.push(await this.json(v, scope, where));
      return out;
    }
    if (typeof value === "object") {
      const out: Obj = {};
      for (const [k, v] of Object.entries(value))
        out[k] = await this.json(v, scope, `${where}.${k}`);
      return out;
    }
    throw new Error(`${where}: unexpected ${String(value)}`);
  }

  async expression(source: string, scope: Scope, where: string): Promise<Value> {
    return this.node(await this.ast(source), scope, `${where} (${source})`);
  }

  private async template(parts: TemplatePart[], scope: Scope, where: string): Promise<Value> {
    const [only] = parts;
    if (parts.length === 1 && only && "expression" in only) {
      return this.expression(only.expression, scope, where);
    }
    const values: Value[] = [];
    for (const part of parts) {
      values.push(
        "literal" in part ? part.literal : await this.expression(part.expression, scope, where),
      );
    }
    return joinTemplate(values, where);
  }

  private async node(ast: Ast, scope: Scope, where: string): Promise<Value> {
    const meta = ast.meta;
    const children = ast.children ?? [];
    const child = (i: number): Ast => {
      const c = children[i];
      if (!c) throw new Error(`${where}: ${ast.type} without child ${i}`);
      return c;
    };
    switch (ast.type) {
      case "templateWrap":
      case "":
        if (children.length !== 1) throw new Error(`${where}: unexpected ${ast.type} node`);
        return this.node(child(0), scope, where);
      case "template": {
        const values: Value[] = [];
        for (const c of children) {
          values.push(
            c.type === "literalValue" && c.meta.type === "string"
              ? unescapeHcl(String(c.meta.value))
              : await this.node(c, scope, where),
          );
        }
        return joinTemplate(values, where);
      }
      case "literalValue": {
        const raw = String(meta.value);
        if (meta.type === "number") return Number(raw);
        if (meta.type === "bool") return raw === "true";
        if (raw === "null") return null;
        if (meta.type === "string") return unescapeHcl(raw);
        throw new Error(`${where}: literal ${raw} of type ${String(meta.type)}`);
      }
      case "tuple": {
        const out: Value[] = [];
        for (const c of children) out.push(await this.node(c, scope, where));
        return out;
      }
      case "object": {
        const out: Obj = {};
        for (const [keySource, valueSource] of Object.entries(
          meta.items as Record<string, string>,
        )) {
          const key = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(keySource)
            ? keySource
            : await this.expression(keySource, scope, where);
          if (typeof key !== "string") throw new Error(`${where}: object key ${render(key)}`);
          out[key] = await this.expression(valueSource, scope, where);
        }
        return out;
      }
      case "scopeTraversal":
        return this.traverse(null, traversal(meta), scope, where);
      case "relativeTraversal":
        return this.traverse(
          await this.node(child(0), scope, where),
          traversal(meta),
          scope,
          where,
        );
      case "index": {
        const collection = await this.node(child(0), scope, where);
        const key = await this.node(child(1), scope, where);
        return index(collection, key, where);
      }
      case "splat": {
        const source = await this.node(child(0), scope, where);
        const steps = traversal(child(1).meta);
        if (source instanceof Unknown) {
          return new Unknown(`${source.text}[*]${steps.map(stepText).join("")}`);
        }
        const list = source === null ? [] : Array.isArray(source) ? source : [source];
        const out: Value[] = [];
        for (const item of list) out.push(await this.traverse(item, steps, scope, where));
        return out;
      }
      case "function": {
        const name = String(meta.name);
        let args: Value[] = [];
        for (const c of children) args.push(await this.node(c, scope, where));
        if (meta.expandedFinalArgument === true) {
          const last = args.pop() ?? null;
          if (last instanceof Unknown)
            return new Unknown(`${name}(${[...args, last].map(render).join(", ")}...)`);
          args = [...args, ...asList(last, where)];
        }
        if (args.some((a) => a instanceof Unknown)) {
          return name === "coalesce"
            ? (FUNCTIONS.coalesce as Fn)(args, where)
            : new Unknown(`${name}(${args.map(render).join(", ")})`);
        }
        const fn = FUNCTIONS[name];
        if (!fn)
          throw new Error(`${where}: function ${name} is not supported by the test's evaluator`);
        return fn(args, `${where}: ${name}()`);
      }
      case "conditional": {
        const condition = await this.node(child(0), scope, where);
        if (condition === true) return this.node(child(1), scope, where);
        if (condition === false) return this.node(child(2), scope, where);
        if (!(condition instanceof Unknown)) {
          throw new Error(`${where}: condition is ${render(condition)}, not a bool`);
        }
        const yes = await this.node(child(1), scope, where);
        const no = await this.node(child(2), scope, where);
        return new Unknown(`${condition.text} ? ${render(yes)} : ${render(no)}`, union(yes, no));
      }
      case "unaryOp": {
        const v = await this.node(child(0), scope, where);
        if (v instanceof Unknown)
          return new Unknown(`${meta.operator === "negate" ? "-" : "!"}${v.text}`);
        if (meta.operator === "logicalNot" && typeof v === "boolean") return !v;
        if (meta.operator === "negate" && typeof v === "number") return -v;
        throw new Error(`${where}: ${String(meta.operator)} of ${render(v)}`);
      }
      case "binaryOp":
        return this.binary(
          String(meta.operator),
          await this.node(child(0), scope, where),
          await this.node(child(1), scope, where),
          where,
        );
      case "for":
        return this.forExpression(meta, scope, where);
      default:
        throw new Error(
          `${where}: ${ast.type} expressions are not supported by the test's evaluator`,
        );
    }
  }

  private binary(operator: string, l: Value, r: Value, where: string): Value {
    const text = `${render(l)} ${OPERATORS[operator] ?? operator} ${render(r)}`;
    if (operator === "logicalAnd" && (l === false || r === false)) return false;
    if (operator === "logicalOr" && (l === true || r === true)) return true;
    if (l instanceof Unknown || r instanceof Unknown) return new Unknown(text);
    switch (operator) {
      case "equal":
        return equal(l, r);
      case "notEqual":
        return !equal(l, r);
      case "logicalAnd":
      case "logicalOr":
        if (typeof l !== "boolean" || typeof r !== "boolean") throw new Error(`${where}: ${text}`);
        return operator === "logicalAnd" ? l && r : l || r;
    }
    if (typeof l !== "number" || typeof r !== "number") throw new Error(`${where}: ${text}`);
    const arithmetic: Record<string, (a: number, b: number) => Value> = {
      add: (a, b) => a + b,
      subtract: (a, b) => a - b,
      multiply: (a, b) => a * b,
      divide: (a, b) => a / b,
      modulo: (a, b) => a % b,
      greaterThan: (a, b) => a > b,
      greaterThanOrEqual: (a, b) => a >= b,
      lessThan: (a, b) => a < b,
      lessThanOrEqual: (a, b) => a <= b,
    };
    const op = arithmetic[operator];
    if (!op) throw new Error(`${where}: operator ${operator}`);
    return op(l, r);
  }

  private async forExpression(meta: Record<string, unknown>, scope: Scope, where: string) {
    const source = String(meta.value);
    const collection = await this.expression(String(meta.collectionExpression), scope, where);
    if (collection instanceof Unknown) return new Unknown(source);
    const entries = entriesOf(collection, where);
    const keyVar = String(meta.keyVar ?? "");
    const valVar = String(meta.valVar);
    const isObject = typeof meta.keyExpression === "string" && meta.keyExpression !== "";
    const condition =
      typeof meta.conditionalExpression === "string" ? meta.conditionalExpression : "";
    const list: Value[] = [];
    const object: Obj = {};
    const certain: string[] = [];
    let uncertain = false;
    for (const [k, v] of entries) {
      const inner = new Map(scope);
      if (keyVar) inner.set(keyVar, k);
      inner.set(valVar, v);
      let sure = true;
      if (condition) {
        const keep = await this.expression(condition, inner, where);
        if (keep === false) continue;
        if (keep instanceof Unknown) sure = false;
        else if (keep !== true) throw new Error(`${where}: for condition is ${render(keep)}`);
      }
      uncertain ||= !sure;
      const value = await this.expression(String(meta.valueExpression), inner, where);
      if (!isObject) {
        list.push(value);
        continue;
      }
      const key = await this.expression(String(meta.keyExpression), inner, where);
      if (key instanceof Unknown) return new Unknown(source);
      const name = asString(key, `${where}: for key`);
      if (sure) certain.push(name);
      if (meta.groupedValue === true) {
        object[name] = [...((object[name] as Value[] | undefined) ?? []), value];
      } else if (name in object) {
        throw new Error(`${where}: duplicate key ${name} in for expression`);
      } else {
        object[name] = value;
      }
    }
    const result = isObject ? object : list;
    return uncertain ? new Unknown(source, result, undefined, isObject ? certain : []) : result;
  }

  private async traverse(
    start: Value | null,
    steps: Step[],
    scope: Scope,
    where: string,
  ): Promise<Value> {
    let value: Value;
    let rest: Step[];
    if (start !== null) {
      value = start;
      rest = steps;
    } else {
      const [root, second, third] = steps;
      if (root?.kind !== "name") throw new Error(`${where}: traversal without a root`);
      const bound = scope.get(root.value);
      if (bound !== undefined) {
        value = bound;
        rest = steps.slice(1);
      } else if (root.value === "local" || root.value === "var") {
        if (second?.kind !== "name") throw new Error(`${where}: ${root.value} without a name`);
        value =
          root.value === "local"
            ? await this.localReference(second.value)
            : this.variable(second.value);
        rest = steps.slice(2);
      } else if (root.value === "path" || root.value === "terraform") {
        value = new Unknown(`${root.value}.${second?.value ?? ""}`);
        rest = steps.slice(2);
      } else if (root.value === "data") {
        if (second?.kind !== "name" || third?.kind !== "name")
          throw new Error(`${where}: data reference`);
        value = await this.resourceValue(`data.${second.value}`, third.value, where);
        rest = steps.slice(3);
      } else if (root.value === "each" || root.value === "count" || root.value === "self") {
        throw new Error(`${where}: ${root.value} is not available here`);
      } else {
        if (second?.kind !== "name") throw new Error(`${where}: unknown name ${root.value}`);
        value = await this.resourceValue(root.value, second.value, where);
        rest = steps.slice(2);
      }
    }
    for (const step of rest) value = index(value, step.value, where, step.kind === "name");
    return value;
  }

  private variable(name: string): Value {
    if (!this.variables.has(name)) throw new Error(`var.${name} is not declared`);
    return new Unknown(`var.${name}`);
  }

  async local(name: string): Promise<Value> {
    let value = this.localValues.get(name);
    if (!value) {
      if (!this.locals.has(name)) throw new Error(`local.${name} is not declared`);
      const key = `local.${name}`;
      if (this.evaluating.has(key)) throw new Error(`${key} refers to itself`);
      this.evaluating.add(key);
      value = this.json(this.locals.get(name), EMPTY, key).finally(() =>
        this.evaluating.delete(key),
      );
      this.localValues.set(name, value);
    }
    return value;
  }

  /** A local as a reference sees it: an unknown local keeps its name rather than its expression. */
  private async localReference(name: string): Promise<Value> {
    const value = await this.local(name);
    if (value instanceof Unknown && value.template === undefined) {
      return new Unknown(`local.${name}`, value.possible, undefined, value.certain);
    }
    return value;
  }

  /** `type.name` as an expression: a map of instances for `for_each`, a list for `count`. */
  private async resourceValue(type: string, name: string, where: string): Promise<Value> {
    const address = `${type}.${name}`;
    if (!this.resources.has(address)) throw new Error(`${where}: ${address} is not declared`);
    const expansion = await this.expand(address);
    const instance = (key: string | number) => new Unknown(`${address}[${render(key)}]`);
    if (expansion.kind === "single") return new Unknown(address);
    if (expansion.unknownKeys) return new Unknown(address);
    if (expansion.kind === "count") {
      return expansion.instances.map((i) => instance(i.key as number));
    }
    return Object.fromEntries(
      expansion.instances.map((i) => [i.key as string, instance(i.key as string)]),
    );
  }

  expand(address: string): Promise<Expansion> {
    let expansion = this.expansions.get(address);
    if (!expansion) {
      if (this.evaluating.has(address))
        throw new Error(`${address}: for_each/count refers to itself`);
      this.evaluating.add(address);
      expansion = this.computeExpansion(address).finally(() => this.evaluating.delete(address));
      this.expansions.set(address, expansion);
    }
    return expansion;
  }

  private async computeExpansion(address: string): Promise<Expansion> {
    const body = (this.resources.get(address) as Declaration).body;
    if (body.for_each !== undefined) {
      const forEach = await this.json(body.for_each, EMPTY, `${address}.for_each`);
      const items = (v: Value, certain: readonly string[] | undefined) => {
        const maybe = (key: string) => certain !== undefined && !certain.includes(key);
        if (Array.isArray(v)) {
          return v.map((x) => {
            const key = asString(x, `${address}.for_each (a set of strings)`);
            return { key, each: new Map([["each", { key, value: key }]]), maybe: maybe(key) };
          });
        }
        const o = asObject(v, `${address}.for_each`);
        return sortedKeys(o).map((key) => ({
          key,
          each: new Map([["each", { key, value: o[key] ?? null }]]),
          maybe: maybe(key),
        }));
      };
      if (!(forEach instanceof Unknown)) {
        return { kind: "for_each", instances: items(forEach, undefined), unknownKeys: false };
      }
      if (forEach.possible !== undefined) {
        const instances = items(forEach.possible, forEach.certain ?? []);
        return { kind: "for_each", instances, unknownKeys: true };
      }
      const each = { key: new Unknown("each.key"), value: new Unknown("each.value") };
      return {
        kind: "for_each",
        instances: [{ key: "*", each: new Map([["each", each]]), maybe: true }],
        unknownKeys: true,
      };
    }
    if (body.count !== undefined) {
      const count = await this.json(body.count, EMPTY, `${address}.count`);
      if (typeof count === "number") {
        return {
          kind: "count",
          instances: Array.from({ length: count }, (_, index) => ({
            key: index,
            each: new Map([["count", { index }]]),
            maybe: false,
          })),
          unknownKeys: false,
        };
      }
      if (!(count instanceof Unknown)) throw new Error(`${address}.count is ${render(count)}`);
      return {
        kind: "count",
        instances: [{ key: 0, each: new Map([["count", { index: 0 }]]), maybe: true }],
        unknownKeys: true,
      };
    }
    return { kind: "single", instances: [{ each: EMPTY, maybe: false }], unknownKeys: false };
  }

  /** A resource or nested block body, with `dynamic` blocks expanded into the blocks they make. */
  async body(block: Block, scope: Scope, where: string, top: boolean): Promise<Block> {
    const out: Block = {};
    for (const [key, value] of Object.entries(block)) {
      if (top && META_ARGUMENTS.has(key)) continue;
      if (key === "dynamic") {
        for (const [label, specs] of Object.entries(value as Record<string, unknown>)) {
          for (const spec of blocks(specs)) {
            const made = await this.dynamic(label, spec, scope, `${where}.dynamic.${label}`);
            out[label] = [...blocks(out[label]), ...made];
          }
        }
        continue;
      }
      const nested = Array.isArray(value) && value.length > 0 && value.every((v) => isObj(v));
      if (nested) {
        const made: Block[] = [];
        for (const b of value as Block[])
          made.push(await this.body(b, scope, `${where}.${key}`, false));
        out[key] = [...blocks(out[key]), ...made];
      } else {
        out[key] = toPlain(await this.json(value, scope, `${where}.${key}`));
      }
    }
    return out;
  }

  private async dynamic(label: string, spec: Block, scope: Scope, where: string): Promise<Block[]> {
    const iterator = typeof spec.iterator === "string" ? spec.iterator : label;
    let collection = await this.json(spec.for_each, scope, `${where}.for_each`);
    // Keys whose block exists whatever the variables are; undefined: all of them.
    let certain: readonly string[] | undefined;
    if (collection instanceof Unknown) {
      if (collection.possible === undefined) {
        throw new Error(`${where}: for_each ${collection.text} cannot be expanded statically`);
      }
      certain = collection.certain ?? [];
      collection = collection.possible;
    }
    const entries = entriesOf(collection, where);
    const made: Block[] = [];
    for (const [key, value] of entries) {
      const inner = new Map(scope);
      inner.set(iterator, { key, value });
      for (const content of blocks(spec.content)) {
        const b = await this.body(content, inner, `${where}[${render(key)}]`, false);
        const maybe = certain !== undefined && !certain.includes(String(key));
        made.push(maybe ? { ...b, [MAYBE]: true } : b);
      }
    }
    return made;
  }
}

const OPERATORS: Record<string, string> = {
  equal: "==",
  notEqual: "!=",
  logicalAnd: "&&",
  logicalOr: "||",
  add: "+",
  subtract: "-",
  multiply: "*",
  divide: "/",
  modulo: "%",
  greaterThan: ">",
  greaterThanOrEqual: ">=",
  lessThan: "<",
  lessThanOrEqual: "<=",
};

function joinTemplate(values: Value[], where: string): Value {
  const text = values.map((v) => inTemplate(v, where)).join("");
  return values.some((v) => v instanceof Unknown)
    ? new Unknown(JSON.stringify(text), undefined, text)
    : text;
}

/** Every element either branch of an unknown condition may hold, when both are collections. */
function union(a: Value, b: Value): Value | undefined {
  const possible = (v: Value) => (v instanceof Unknown ? v.possible : v);
  const [x, y] = [possible(a), possible(b)];
  if (Array.isArray(x) && Array.isArray(y)) return [...x, ...y];
  if (isObj(x) && isObj(y)) return { ...x, ...y };
  return undefined;
}

type Step =
  | { readonly kind: "name"; readonly value: string }
  | { readonly kind: "index"; readonly value: string | number };

function traversal(meta: Record<string, unknown>): Step[] {
  return (meta.traversal as Array<{ type: string; segment: string }>).map((part): Step => {
    if (part.type === "nameTraversal") return { kind: "name", value: part.segment };
    const segment = part.segment;
    return {
      kind: "index",
      value: segment.startsWith('"') ? (JSON.parse(segment) as string) : Number(segment),
    };
  });
}

const stepText = (s: Step): string => (s.kind === "name" ? `.${s.value}` : `[${render(s.value)}]`);

/** `collection.key` or `collection[key]`, as Terraform resolves it (a missing key is an error). */
function index(collection: Value, key: Value, where: string, attribute = false): Value {
  if (collection instanceof Unknown) {
    const text = attribute ? `.${String(key)}` : `[${render(key)}]`;
    return new Unknown(`${collection.text}${text}`);
  }
  if (key instanceof Unknown) return new Unknown(`${render(collection)}[${key.text}]`);
  if (Array.isArray(collection)) {
    const i = typeof key === "number" ? key : Number(key);
    if (attribute || !Number.isInteger(i) || i < 0 || i >= collection.length) {
      throw new Error(`${where}: no element ${render(key)} in ${render(collection)}`);
    }
    return collection[i] ?? null;
  }
  if (isObj(collection)) {
    const k = String(key);
    if (!(k in collection)) {
      throw new Error(
        `${where}: no ${attribute ? "attribute" : "key"} ${render(key)} in ${render(collection)}`,
      );
    }
    return collection[k] ?? null;
  }
  throw new Error(`${where}: cannot index ${render(collection)} with ${render(key)}`);
}

/** `fn["load_raw"]`, `scheduled[0]` or `lake`. */
function instanceId(name: string, key: string | number | undefined): string {
  if (key === undefined) return name;
  return `${name}[${typeof key === "number" ? key : JSON.stringify(key)}]`;
}

/** Parses and evaluates a configuration given as file name → contents. */
export async function loadConfig(files: Record<string, string>): Promise<Config> {
  const documents: Record<string, unknown>[] = [];
  const declarations: Array<Declaration & { kind: "resource" | "data" }> = [];
  const resources = new Map<string, Declaration>();
  const variables = new Map<string, Block>();
  const locals = new Map<string, unknown>();
  const outputs: Array<[string, Block]> = [];

  for (const [file, contents] of Object.entries(files)) {
    const json = await hcl2json.parse(file, contents);
    documents.push(json);
    for (const kind of ["resource", "data"] as const) {
      const byType = (json[kind] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [type, byName] of Object.entries(byType)) {
        for (const [name, body] of Object.entries(byName)) {
          const declaration = {
            kind,
            type: kind === "data" ? `data.${type}` : type,
            name,
            body: first(body),
            file,
          };
          const address = `${declaration.type}.${name}`;
          if (resources.has(address)) throw new Error(`${address} is declared twice`);
          resources.set(address, declaration);
          declarations.push(declaration);
        }
      }
    }
    for (const [name, body] of Object.entries((json.variable ?? {}) as Record<string, unknown>)) {
      variables.set(name, first(body));
    }
    for (const block of blocks(json.locals)) {
      for (const [name, value] of Object.entries(block)) {
        if (locals.has(name)) throw new Error(`local.${name} is declared twice`);
        locals.set(name, value);
      }
    }
    for (const [name, body] of Object.entries((json.output ?? {}) as Record<string, unknown>)) {
      outputs.push([name, first(body)]);
    }
  }

  const evaluator = new Evaluator(resources, locals, variables);
  const config: Config = {
    resources: [],
    data: [],
    variables,
    locals: new Set(locals.keys()),
    documents,
    local: (name) => evaluator.local(name),
  };
  for (const declaration of declarations) {
    const address = `${declaration.type}.${declaration.name}`;
    const expansion = await evaluator.expand(address);
    for (const { key, each, maybe } of expansion.instances) {
      const id = instanceId(declaration.name, key);
      const body = await evaluator.body(declaration.body, each, `${declaration.type}.${id}`, true);
      const instance: Instance = {
        type:
          declaration.kind === "data" ? declaration.type.slice("data.".length) : declaration.type,
        name: declaration.name,
        id,
        body,
        file: declaration.file,
        maybe,
        ...(key === undefined ? {} : { key }),
      };
      (declaration.kind === "data" ? config.data : config.resources).push(instance);
    }
  }
  // Everything else that must resolve: every local and every output.
  for (const name of locals.keys()) await evaluator.local(name);
  for (const [name, body] of outputs) await evaluator.json(body.value, EMPTY, `output.${name}`);
  return config;
}
