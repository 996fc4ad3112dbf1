/**
 * The JSON paths declarations use: `$.a.b`, with `[*]` after a name for every element of an
 * array (`$.line_items[*].email`) and `[n]` for one. Only what catalogs need; anything else is
 * refused when the declaration is checked.
 */

type Step = { readonly name: string; readonly index: number | "*" | undefined };

const STEP = /^([A-Za-z0-9_-]+)(?:\[(\*|\d+)\])?$/;

export function parseJsonPath(path: string): Step[] {
  if (!path.startsWith("$.")) throw new Error(`JSON path "${path}" must start with "$."`);
  return path
    .slice(2)
    .split(".")
    .map((part) => {
      const m = STEP.exec(part);
      if (!m?.[1])
        throw new Error(`JSON path "${path}": "${part}" is not name, name[*] or name[n]`);
      const index = m[2] === undefined ? undefined : m[2] === "*" ? "*" : Number(m[2]);
      return { name: m[1], index };
    });
}

/** Every value the path reaches in `value` (none when a step is missing). */
export function valuesAt(value: unknown, path: string | readonly Step[]): unknown[] {
  let current: unknown[] = [value];
  for (const step of typeof path === "string" ? parseJsonPath(path) : path) {
    const next: unknown[] = [];
    for (const item of current) {
      if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
      const child = (item as Record<string, unknown>)[step.name];
      if (step.index === undefined) next.push(child);
      else if (Array.isArray(child)) {
        if (step.index === "*") next.push(...child);
        else next.push(child[step.index]);
      }
    }
    current = next.filter((v) => v !== undefined);
  }
  return current;
}
