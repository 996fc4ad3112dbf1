import { type Action, targetKey } from "./compiled-graph.js";

/**
 * Actions in an order where every action comes after the actions it depends on; among ready
 * actions, the graph's own order is kept, so runs are reproducible. Dependencies outside the
 * list are ignored (core has already rejected references to unknown actions).
 */
export function orderActions(actions: readonly Action[]): Action[] {
  const byKey = new Map(actions.map((action) => [targetKey(action.target), action]));
  const waitingOn = new Map<Action, number>();
  const dependents = new Map<Action, Action[]>();
  for (const action of actions) {
    const dependencies = new Set(
      action.dependencyTargets
        .map((target) => byKey.get(targetKey(target)))
        .filter((dependency): dependency is Action => dependency !== undefined),
    );
    waitingOn.set(action, dependencies.size);
    for (const dependency of dependencies) {
      dependents.set(dependency, [...(dependents.get(dependency) ?? []), action]);
    }
  }
  const position = new Map(actions.map((action, index) => [action, index]));
  const ready = actions.filter((action) => waitingOn.get(action) === 0);
  const ordered: Action[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const action = ready.shift() as Action;
    ordered.push(action);
    for (const dependent of dependents.get(action) ?? []) {
      const left = (waitingOn.get(dependent) ?? 0) - 1;
      waitingOn.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  if (ordered.length !== actions.length) {
    const stuck = actions.filter((action) => !ordered.includes(action)).map((a) => a.name);
    throw new Error(`circular dependency between ${stuck.join(", ")}`);
  }
  return ordered;
}

/** Every action that reads `failed`, directly or through other actions. */
export function downstreamOf(actions: readonly Action[], failed: Action): Set<Action> {
  const found = new Set<Action>();
  const queue = [targetKey(failed.target)];
  while (queue.length > 0) {
    const key = queue.shift() as string;
    for (const action of actions) {
      if (found.has(action)) continue;
      if (action.dependencyTargets.some((target) => targetKey(target) === key)) {
        found.add(action);
        queue.push(targetKey(action.target));
      }
    }
  }
  return found;
}
