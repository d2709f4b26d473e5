// The owner the intake gives each TranscodeJob it creates, so that removing the release removes
// them, and with them their Jobs and pods (owned by the TranscodeJob): `helm uninstall` deletes only
// what the chart rendered, and the intake's TranscodeJobs are not among it.
// The owner is the transcode ConfigMap (TRANSCODE_CONFIGMAP, the Jobs' envFrom), which the
// operator chart renders in the namespace of the TranscodeJobs: an object of the release that
// `helm uninstall` deletes, in the same namespace (the garbage collector treats an owner in another
// namespace as absent, and would delete at once). The reference has no `controller: true` (the
// ConfigMap does not manage TranscodeJobs) and no `blockOwnerDeletion` (that needs `update` on
// configmaps/finalizers, and nothing has to wait for the TranscodeJobs to go).
// TranscodeJobs created by hand are not touched: only the intake sets the reference.
import type { Logger } from '@moocflix/platform-core/log';
import { ApiError } from '../controller-runtime/client';
import type { KubeObject, OwnerReference } from '../controller-runtime/objects';
import type { PolicyRule } from '../controller-runtime/rbac';
import type { ResourceClient, ResourceType } from '../controller-runtime/resource';

export const ConfigMapResource: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};

/** RBAC of the owner lookup: the one ConfigMap, read. */
export const releaseOwnerRbac: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
];

export interface ReleaseOwnerOptions {
  configMaps: ResourceClient<KubeObject>;
  /** The namespace of the TranscodeJobs (and so of their owner). */
  namespace: string;
  /** TRANSCODE_CONFIGMAP; undefined: no owner. */
  name: string | undefined;
  logger: Logger;
}

type State = 'unconfigured' | 'absent' | 'forbidden' | 'owned' | 'gone';

export class ReleaseOwner {
  private lastUid: string | undefined;
  private state: State | undefined;

  constructor(private readonly options: ReleaseOwnerOptions) {}

  /**
   * The owner reference of a TranscodeJob created now, or undefined (created without one, as by
   * hand). Read at every create, not cached from the start: a ConfigMap deleted and created again
   * has a new uid, and a TranscodeJob naming the old one would be collected as soon as it exists.
   * One GET per Transcoding-Request is nothing next to a transcode. Other API errors are thrown:
   * the bus delivers the message again.
   */
  async reference(): Promise<OwnerReference | undefined> {
    const { name, namespace } = this.options;
    if (!name) {
      this.enter('unconfigured', 'no TRANSCODE_CONFIGMAP: TranscodeJobs are created without an owner');
      return undefined;
    }
    let configMap: KubeObject | undefined;
    try {
      configMap = await this.options.configMaps.get(namespace, name);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 403)) throw err;
      // RBAC older than this operator (no `get` on configmaps): work goes on, without an owner.
      this.enter(
        'forbidden',
        'may not read the transcode ConfigMap: TranscodeJobs are created without an owner',
        {
          err,
        },
      );
      return undefined;
    }
    const uid = configMap?.metadata.uid;
    if (uid) {
      this.lastUid = uid;
      this.enter('owned', 'TranscodeJobs are owned by the transcode ConfigMap (removed with the release)');
      return this.referenceTo(name, uid);
    }
    if (this.lastUid) {
      // Seen before and gone now: the release is being removed (`helm uninstall` deletes the
      // ConfigMap before this pod has stopped), or the ConfigMap was deleted, which leaves the Jobs
      // unable to start (they take their environment from it). The last uid is still given, so a
      // TranscodeJob created in that window goes with the rest instead of staying behind; the
      // content service issues a new attempt for work that was lost.
      this.enter(
        'gone',
        'the transcode ConfigMap is gone: new TranscodeJobs name its last uid and are collected with the release',
      );
      return this.referenceTo(name, this.lastUid);
    }
    this.enter(
      'absent',
      'the transcode ConfigMap does not exist: TranscodeJobs are created without an owner',
    );
    return undefined;
  }

  private referenceTo(name: string, uid: string): OwnerReference {
    return { apiVersion: 'v1', kind: 'ConfigMap', name, uid };
  }

  /** Logs why once per change, not once per message. */
  private enter(state: State, why: string, fields: Record<string, unknown> = {}): void {
    if (this.state === state) return;
    this.state = state;
    const context = { configMap: this.options.name, namespace: this.options.namespace, ...fields };
    if (state === 'owned') this.options.logger.info(context, why);
    else this.options.logger.warn(context, why);
  }
}
