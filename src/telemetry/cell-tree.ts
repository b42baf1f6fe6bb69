// Finds the metric cells of a request without building a key. The first levels are objects the
// config snapshot already holds (the route, the deployment) and the endpoint kind, found by
// identity; then one level per attribution label, keyed by the caller's value as it came (a key
// id string from the key's record, so its hash is cached). A request that has been seen before
// costs a few Map/WeakMap hits; only a new tuple goes through the cardinality guards and
// creates series.
//
// Values the guard changes (cut to 64 characters, or counted under the overflow value) are not
// cached under their raw form, so a flood of distinct values cannot grow the tree: they take the
// guard's path on every request and share the node of the value they were admitted as.

import { LabelGuard, NONE } from './label-guard.js';

interface Node<T> {
  readonly children: Map<string | undefined, Node<T>>;
  /** The admitted attribution values from the root to here, in label order. */
  readonly values: readonly string[];
  leaf?: T;
}

const NO_OBJECT = Object.freeze({});

function node<T>(values: readonly string[]): Node<T> {
  return { children: new Map(), values };
}

export class CellTree<R extends object, D extends object, T> {
  private readonly roots = new WeakMap<object, WeakMap<object, Map<string, Node<T>>>>();

  /**
   * `make` builds the leaf of a new tuple from the admitted attribution values; `guards` are the
   * attribution labels' guards in label order.
   */
  constructor(
    private readonly guards: readonly LabelGuard[],
    private readonly make: (route: R | undefined, deployment: D | undefined, endpoint: string, attribution: readonly string[]) => T,
  ) {}

  /** `value(i)` is the caller's raw value of the i-th attribution label. */
  get(route: R | undefined, deployment: D | undefined, endpoint: string, value: (i: number) => string | undefined): T {
    const r = route ?? NO_OBJECT;
    let byDeployment = this.roots.get(r);
    if (byDeployment === undefined) this.roots.set(r, (byDeployment = new WeakMap()));
    const d = deployment ?? NO_OBJECT;
    let byEndpoint = byDeployment.get(d);
    if (byEndpoint === undefined) byDeployment.set(d, (byEndpoint = new Map()));
    let n = byEndpoint.get(endpoint);
    if (n === undefined) byEndpoint.set(endpoint, (n = node<T>([])));
    for (let i = 0; i < this.guards.length; i++) {
      const raw = value(i);
      n = n.children.get(raw) ?? this.admit(n, i, raw);
    }
    return n.leaf ?? (n.leaf = this.make(route, deployment, endpoint, n.values));
  }

  private admit(parent: Node<T>, i: number, raw: string | undefined): Node<T> {
    const v = this.guards[i]!.admit(raw);
    let child = parent.children.get(v);
    if (child === undefined) parent.children.set(v, (child = node<T>([...parent.values, v])));
    // Cache the raw form only when the guard kept it as it is (or it was absent): bounded.
    if (raw === undefined || raw === NONE || raw === v) parent.children.set(raw, child);
    return child;
  }
}
