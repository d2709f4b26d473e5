// RBAC declared next to the code that needs it: each module exports the rules of its API calls;
// operator/src/rbac.ts merges them into the operator's Role and ClusterRole.

/** rbac.authorization.k8s.io/v1 PolicyRule (resource rules only). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** One rule per (group, resource) with the union of verbs, in a stable order. */
export function mergeRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const verbs = new Map<string, Set<string>>();
  for (const rule of rules) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const key = `${group}\u0000${resource}`;
        const set = verbs.get(key) ?? new Set<string>();
        for (const verb of rule.verbs) set.add(verb);
        verbs.set(key, set);
      }
    }
  }
  // Resources of one group with the same verbs share a rule.
  const byGroupAndVerbs = new Map<string, PolicyRule>();
  for (const [key, set] of [...verbs].sort(([a], [b]) => a.localeCompare(b))) {
    const [group, resource] = key.split('\u0000') as [string, string];
    const sorted = [...set].sort((a, b) => VERB_ORDER.indexOf(a) - VERB_ORDER.indexOf(b));
    const id = `${group}\u0000${sorted.join(',')}`;
    const rule = byGroupAndVerbs.get(id);
    if (rule) rule.resources.push(resource);
    else byGroupAndVerbs.set(id, { apiGroups: [group], resources: [resource], verbs: sorted });
  }
  return [...byGroupAndVerbs.values()];
}
