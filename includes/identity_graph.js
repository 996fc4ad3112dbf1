/**
 * Connected components in SQL that runs unchanged on BigQuery and DuckDB, as a list of
 * statements for a model's pre_operations (each round a TEMP table: BigQuery runs an action's
 * pre-operations and query as one script, DuckDB's runner on one session).
 *
 * Algorithm: min-label hooking with contraction (docs/decisions.md). Nodes get a pseudo-random
 * INT64 id (a hash of the key salted with the run's timestamp, so nobody can craft an id order
 * that slows it down). Each round every node hooks to its smallest neighbour, hooks are followed
 * one step further (pointer jumping), and the edges are rewritten onto the new labels; edges
 * inside a label disappear. On random ids the edge count drops about threefold per round, so a
 * chain of n nodes needs about log3(n) rounds (a 100,000-node path: 11). Labels of a node are
 * composed over the rounds at the end. When edges are left after the last round the run fails
 * with a message instead of returning wrong contacts.
 *
 * Invariant (why it is right): a round maps every node to a node of its own component and every
 * edge to an edge or a point, so the labels of one component stay connected by the remaining
 * edges; with no edge left each component has exactly one label.
 */

/**
 * Statements computing `<prefix>_labels (node_key STRING, label INT64)` for every row of
 * `nodesTable (node_key)`, from `edgesTable (node_a, node_b)` (STRING node keys, any order).
 */
function connectedComponents({ nodesTable, edgesTable, prefix, rounds }) {
  const k = Number(rounds);
  if (!Number.isInteger(k) || k < 1 || k > 64) {
    throw new Error(`identity_graph_rounds must be a whole number from 1 to 64; got "${rounds}"`);
  }
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`bad prefix "${prefix}"`);
  const salt = dialect.cast("CURRENT_TIMESTAMP", "STRING");
  const statements = [
    `CREATE OR REPLACE TEMP TABLE ${prefix}_ids AS
SELECT node_key, ${dialect.hash63(`CONCAT(node_key, '|', ${salt})`)} AS id
FROM (SELECT DISTINCT node_key FROM ${nodesTable})`,
    // Two keys with one id would be merged: astronomically rare, and the next run has new ids.
    `CREATE OR REPLACE TEMP TABLE ${prefix}_id_check AS
SELECT ${dialect.cast("ERROR('identity graph: two node keys hashed to one id in this run; run the graph again')", "INT64")} AS failed
FROM (SELECT id FROM ${prefix}_ids GROUP BY id HAVING COUNT(*) > 1) AS collisions`,
    `CREATE OR REPLACE TEMP TABLE ${prefix}_e0 AS
SELECT DISTINCT LEAST(a.id, b.id) AS a, GREATEST(a.id, b.id) AS b
FROM ${edgesTable} AS edges
INNER JOIN ${prefix}_ids AS a ON a.node_key = edges.node_a
INNER JOIN ${prefix}_ids AS b ON b.node_key = edges.node_b
WHERE a.id <> b.id`,
  ];
  for (let r = 1; r <= k; r++) {
    statements.push(
      `CREATE OR REPLACE TEMP TABLE ${prefix}_p${r} AS
WITH hooks AS (SELECT b AS node, MIN(a) AS up FROM ${prefix}_e${r - 1} GROUP BY b)
SELECT hooks.node, COALESCE(next_hook.up, hooks.up) AS parent
FROM hooks LEFT JOIN hooks AS next_hook ON next_hook.node = hooks.up`,
      `CREATE OR REPLACE TEMP TABLE ${prefix}_e${r} AS
SELECT DISTINCT LEAST(pa, pb) AS a, GREATEST(pa, pb) AS b
FROM (
  SELECT COALESCE(pa.parent, edges.a) AS pa, COALESCE(pb.parent, edges.b) AS pb
  FROM ${prefix}_e${r - 1} AS edges
  LEFT JOIN ${prefix}_p${r} AS pa ON pa.node = edges.a
  LEFT JOIN ${prefix}_p${r} AS pb ON pb.node = edges.b
) AS relabelled
WHERE pa <> pb`,
    );
  }
  statements.push(
    `CREATE OR REPLACE TEMP TABLE ${prefix}_converged AS
SELECT ${dialect.cast(`ERROR('identity graph did not converge in ${k} rounds: raise the workflow var identity_graph_rounds')`, "INT64")} AS failed
FROM (SELECT a FROM ${prefix}_e${k} LIMIT 1) AS leftover`,
  );
  const label = (r) =>
    r === 0
      ? "ids.id"
      : `COALESCE(${[...Array(r).keys()].map((i) => `p${r - i}.parent`).join(", ")}, ids.id)`;
  const joins = [...Array(k).keys()]
    .map((i) => `LEFT JOIN ${prefix}_p${i + 1} AS p${i + 1} ON p${i + 1}.node = ${label(i)}`)
    .join("\n");
  statements.push(
    `CREATE OR REPLACE TEMP TABLE ${prefix}_labels AS
SELECT ids.node_key, ${label(k)} AS label
FROM ${prefix}_ids AS ids
${joins}`,
  );
  return statements;
}

module.exports = { connectedComponents };
