// Which KafkaTopic API the cluster serves. Strimzi 1.0 serves only kafka.strimzi.io/v1; earlier
// releases serve v1beta2 (0.49 serves both). Asked of the apiserver's discovery, not guessed from a
// configured Strimzi version, so an upgrade of Strimzi needs no change here.
import { isNotFound, type KubeClient } from '../controller-runtime/client';
import type { ResourceType } from '../controller-runtime/resource';

export const STRIMZI_GROUP = 'kafka.strimzi.io';
/** Preferred first. */
const SUPPORTED_VERSIONS = ['v1', 'v1beta2'] as const;

export function kafkaTopicResource(version: string): ResourceType {
  return { group: STRIMZI_GROUP, version, plural: 'kafkatopics', kind: 'KafkaTopic', namespaced: true };
}

interface APIGroup {
  versions?: { groupVersion: string; version: string }[];
}
interface APIResourceList {
  resources?: { name: string; kind: string }[];
}

/** The KafkaTopic resource to use, or undefined when no supported version serves kafkatopics. */
export async function discoverKafkaTopicResource(client: KubeClient): Promise<ResourceType | undefined> {
  let group: APIGroup;
  try {
    group = await client.request<APIGroup>('GET', `/apis/${STRIMZI_GROUP}`);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const served = new Set((group.versions ?? []).map((v) => v.version));
  for (const version of SUPPORTED_VERSIONS) {
    if (!served.has(version)) continue;
    const list = await client.request<APIResourceList>('GET', `/apis/${STRIMZI_GROUP}/${version}`);
    if ((list.resources ?? []).some((r) => r.name === 'kafkatopics')) return kafkaTopicResource(version);
  }
  return undefined;
}
