import { z } from "zod";

/**
 * One entry of an npm v2/v3 lockfile's `packages` map. Only the fields the subset walk reads
 * are typed; every other field (integrity, resolved, engines, os, cpu, bin, license, …) is
 * copied as npm wrote it.
 */
const LockEntrySchema = z
  .object({
    version: z.string().optional(),
    link: z.boolean().optional(),
    dependencies: z.record(z.string(), z.string()).optional(),
    optionalDependencies: z.record(z.string(), z.string()).optional(),
    peerDependencies: z.record(z.string(), z.string()).optional(),
    peerDependenciesMeta: z
      .record(z.string(), z.object({ optional: z.boolean().optional() }).loose())
      .optional(),
  })
  .loose();
export type LockEntry = z.infer<typeof LockEntrySchema>;

const LockfileSchema = z
  .object({
    name: z.string().optional(),
    version: z.string().optional(),
    lockfileVersion: z.union([z.literal(2), z.literal(3)]),
    packages: z.record(z.string(), LockEntrySchema),
  })
  .loose();
export type Lockfile = z.infer<typeof LockfileSchema>;

/** Parses an npm lockfile (v2 or v3: both carry the `packages` map npm ci installs from). */
export function parseLockfile(text: string, file = "package-lock.json"): Lockfile {
  const parsed = LockfileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(
      `${file} is not an npm v2/v3 lockfile (${parsed.error.issues[0]?.message}): run \`npm install\` with npm 7 or later to rewrite it.`,
    );
  }
  return parsed.data;
}

export interface SubsetRequest {
  /** `name` and `version` of the new root package. */
  readonly name: string;
  readonly version: string;
  /** Packages the new root depends on; each is pinned to the version the lockfile resolves. */
  readonly dependencies: readonly string[];
  /** Other fields of the new root entry (e.g. `engines`), as they appear in its package.json. */
  readonly rootFields?: Readonly<Record<string, unknown>>;
}

export interface LockSubset {
  /** Exact versions of `dependencies`, as the lockfile resolves them at the top level. */
  readonly pinned: Record<string, string>;
  /** A v3 lockfile holding exactly the packages an install of `pinned` needs. */
  readonly lockfile: Lockfile;
}

type Edge = { readonly name: string; readonly optional: boolean; readonly peer: boolean };

/**
 * The part of `source` an install of `request.dependencies` needs, at the same paths, versions
 * and integrity hashes: what was installed and tested is what gets deployed, with no new
 * resolution. Dependencies are resolved the way Node and npm do (nearest `node_modules` first,
 * then each ancestor's); optional dependencies the lockfile lacks are skipped, as npm does;
 * optional peers are not followed. The `dev`, `optional` and `peer` flags are recomputed for the
 * subset, since an `npm ci --omit=dev` trusts them: a package the root reached only through a
 * dev tool may be a production dependency here.
 */
export function subsetLockfile(source: Lockfile, request: SubsetRequest): LockSubset {
  const { packages } = source;
  const pinned: Record<string, string> = {};
  for (const name of [...request.dependencies].sort()) {
    const entry = packages[`node_modules/${name}`];
    if (!entry?.version) {
      throw new Error(
        `package-lock.json does not resolve ${name} at the top level: run \`npm install\` first.`,
      );
    }
    pinned[name] = entry.version;
  }

  const root: LockEntry = { name: request.name, version: request.version, dependencies: pinned };
  const edgesOf = (entry: LockEntry): Edge[] => [
    ...Object.keys(entry.dependencies ?? {}).map((name) => ({
      name,
      optional: false,
      peer: false,
    })),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({
      name,
      optional: true,
      peer: false,
    })),
    ...Object.keys(entry.peerDependencies ?? {})
      .filter((name) => !entry.peerDependenciesMeta?.[name]?.optional)
      .map((name) => ({ name, optional: false, peer: true })),
  ];
  const entryAt = (path: string): LockEntry | undefined => (path === "" ? root : packages[path]);

  /** Every path reachable from the root through edges `follow` accepts. */
  const reach = (follow: (edge: Edge) => boolean): Set<string> => {
    const seen = new Set<string>([""]);
    const queue = [""];
    for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
      const entry = entryAt(path);
      if (!entry) continue;
      for (const edge of edgesOf(entry)) {
        if (!follow(edge)) continue;
        const target = resolveFrom(packages, path, edge.name);
        if (target === undefined) {
          if (edge.optional) continue;
          throw new Error(
            `package-lock.json has no ${edge.name} where ${path || request.name} would find it: run \`npm install\` to repair the lockfile.`,
          );
        }
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    seen.delete("");
    return seen;
  };

  const all = reach(() => true);
  const required = reach((edge) => !edge.optional);
  const notOnlyPeer = reach((edge) => !edge.peer);

  const subset: Record<string, LockEntry> = {
    "": { ...root, ...(request.rootFields ?? {}) },
  };
  for (const path of [...all].sort()) {
    if (packages[path]?.link) {
      throw new Error(
        `${path} is a linked package (a workspace or \`file:\` dependency): a staged install cannot hold it.`,
      );
    }
    const {
      dev: _dev,
      devOptional: _devOptional,
      optional: _opt,
      peer: _peer,
      ...rest
    } = packages[path] as LockEntry & Record<string, unknown>;
    subset[path] = {
      ...rest,
      ...(required.has(path) ? {} : { optional: true }),
      ...(notOnlyPeer.has(path) ? {} : { peer: true }),
    };
  }
  return {
    pinned,
    lockfile: {
      name: request.name,
      version: request.version,
      lockfileVersion: 3,
      requires: true,
      packages: subset,
    },
  };
}

/**
 * Where `name` resolves from the package installed at `from` (`""` is the root): its own
 * `node_modules`, then each enclosing package's, then the top level.
 */
export function resolveFrom(
  packages: Readonly<Record<string, LockEntry>>,
  from: string,
  name: string,
): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === "") return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut === -1 ? "" : base.slice(0, cut);
  }
}
