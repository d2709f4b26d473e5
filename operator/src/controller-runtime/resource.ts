// Typed access to one kind of resource (its REST paths, CRUD, status writes) over KubeClient.
import { isNotFound, type KubeClient, type RequestOptions, type WatchEvent } from './client';
import type { KubeList, KubeObject } from './objects';

/** Field manager of every write (shown in managedFields: who set what). */
export const OPERATOR_FIELD_MANAGER = 'moocflix-operator';

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const apiVersionOf = (rt: ResourceType): string =>
  rt.group ? `${rt.group}/${rt.version}` : rt.version;

export function resourcePath(
  rt: ResourceType,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let path = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  if (rt.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${rt.plural}`;
  if (name) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export const JobResource: ResourceType = {
  group: 'batch',
  version: 'v1',
  plural: 'jobs',
  kind: 'Job',
  namespaced: true,
};
export const LeaseResource: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  namespaced: true,
};

export class ResourceClient<T extends KubeObject> {
  readonly apiVersion: string;

  constructor(
    readonly client: KubeClient,
    readonly type: ResourceType,
  ) {
    this.apiVersion = apiVersionOf(type);
  }

  /** undefined when it does not exist. */
  async get(namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.client.request<T>('GET', resourcePath(this.type, namespace, name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  list(namespace: string | undefined, options: ListOptions = {}, signal?: AbortSignal): Promise<KubeList<T>> {
    return this.client.request<KubeList<T>>('GET', resourcePath(this.type, namespace), {
      query: { ...options },
      signal,
    });
  }

  watch(
    namespace: string | undefined,
    query: RequestOptions['query'],
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return this.client.watch(
      resourcePath(this.type, namespace),
      query,
      onEvent as (e: WatchEvent) => void,
      signal,
    );
  }

  create(obj: T): Promise<T> {
    const body = { apiVersion: this.apiVersion, kind: this.type.kind, ...obj };
    return this.client.request<T>('POST', resourcePath(this.type, obj.metadata.namespace), {
      body,
      query: { fieldManager: OPERATOR_FIELD_MANAGER },
    });
  }

  /** Replaces the object; fails with a conflict when metadata.resourceVersion is not the current one. */
  replace(obj: T): Promise<T> {
    const body = { apiVersion: this.apiVersion, kind: this.type.kind, ...obj };
    return this.client.request<T>('PUT', resourcePath(this.type, obj.metadata.namespace, obj.metadata.name), {
      body,
      query: { fieldManager: OPERATOR_FIELD_MANAGER },
    });
  }

  /** JSON merge patch (RFC 7386); include metadata.resourceVersion in the patch for optimistic concurrency. */
  mergePatch(namespace: string | undefined, name: string, patch: object, subresource?: string): Promise<T> {
    return this.client.request<T>('PATCH', resourcePath(this.type, namespace, name, subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: OPERATOR_FIELD_MANAGER },
    });
  }

  /** Writes `status` through the status subresource (spec and metadata are ignored there). */
  patchStatus(namespace: string | undefined, name: string, status: object): Promise<T> {
    return this.mergePatch(namespace, name, { status }, 'status');
  }

  /** Resolves false when it was already gone. */
  async delete(
    namespace: string | undefined,
    name: string,
    options: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; uid?: string } = {},
  ): Promise<boolean> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.uid) body.preconditions = { uid: options.uid };
    try {
      await this.client.request('DELETE', resourcePath(this.type, namespace, name), { body });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
