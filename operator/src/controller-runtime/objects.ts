// Minimal shapes of Kubernetes objects as they travel in JSON (timestamps are RFC 3339 strings),
// and metav1.Condition handling. The operator talks to the apiserver in plain JSON (client.ts), so
// these replace @kubernetes/client-node's model classes, whose timestamps are Date objects.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** metav1.Condition */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** `namespace/name`, the work queue key of an object (or `name` for a cluster-scoped one). */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? '');
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * Returns the conditions with `next` set, as meta.SetStatusCondition does: lastTransitionTime only
 * moves when the status changes, so writing the same condition twice changes nothing.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const lastTransitionTime =
    previous && previous.status === next.status ? previous.lastTransitionTime : rfc3339(now);
  const condition: Condition = { ...next, lastTransitionTime };
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list;
}

/** A controller owner reference to `owner` (which must have a uid, i.e. come from the apiserver). */
export function controllerReference(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  if (!owner.metadata.uid || !owner.metadata.name)
    throw new Error('owner has no uid/name: was it read from the apiserver?');
  return {
    apiVersion,
    kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** True when `obj`'s controller owner reference points at `ownerUid`. */
export function isControlledBy(obj: KubeObject, ownerUid: string | undefined): boolean {
  return (
    Boolean(ownerUid) && (obj.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === ownerUid)
  );
}

/** Kubernetes timestamps have second precision (metav1.Time). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Deep equality of JSON values (key order ignored): decides whether a write would change anything. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * A JSON merge patch turning `previous` into `next` at the top level: keys of `previous` that
 * `next` lacks become null (removed); the others are set whole.
 */
export function topLevelMergePatch(previous: object | undefined, next: object): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(previous ?? {})) patch[key] = null;
  for (const [key, value] of Object.entries(next)) patch[key] = value === undefined ? null : value;
  return patch;
}

/** The key of the controller owner of `obj` if it is a `kind`, e.g. to enqueue a KafkaTopic's MoocFlixTopic. */
export function controllerOwnerKey(obj: KubeObject, kind: string): string | undefined {
  const owner = obj.metadata.ownerReferences?.find((r) => r.controller && r.kind === kind);
  if (!owner) return undefined;
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${owner.name}` : owner.name;
}
