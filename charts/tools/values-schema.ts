// The values.schema.json of every MoocFlix chart, built from shared pieces so the service charts'
// schemas cannot drift apart. `generate.ts` writes them; a unit test fails when a committed one is
// stale. Every object users fill in has `additionalProperties: false`, so a misspelt key is an
// error at `helm install` time instead of a silently ignored value. Kubernetes objects passed
// through as they are (affinity, security contexts, extra volumes...) are typed as objects only:
// the apiserver validates their insides.

export type JsonSchema = { [key: string]: unknown };

const str = (description?: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'string',
  ...(description ? { description } : {}),
  ...extra,
});
const bool = (): JsonSchema => ({ type: 'boolean' });
const int = (minimum?: number, maximum?: number): JsonSchema => ({
  type: 'integer',
  ...(minimum === undefined ? {} : { minimum }),
  ...(maximum === undefined ? {} : { maximum }),
});
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
/** A Kubernetes object (or map) passed through as is. */
const k8sObject = (): JsonSchema => ({ type: 'object' });
const stringMap = (): JsonSchema => ({ type: 'object', additionalProperties: { type: 'string' } });
/** An object whose keys are exactly these (all optional unless listed in required). */
export const strict = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length ? { required } : {}),
});

const port = (): JsonSchema => int(1, 65535);
const quantity = (): JsonSchema =>
  str(undefined, { pattern: '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$' });
const quantityOrNumber = (): JsonSchema => ({ anyOf: [quantity(), { type: 'number', minimum: 0 }] });
const intOrPercent = (): JsonSchema => ({ anyOf: [int(0), str(undefined, { pattern: '^[0-9]+%$' })] });
const duration = (): JsonSchema => str(undefined, { pattern: '^[0-9]+(ms|s|m|h)$' });
/** A DNS-1123 name, or empty for "the default". */
const optionalName = (): JsonSchema =>
  str(undefined, { pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$', maxLength: 253 });
const envVarName = (): JsonSchema => str(undefined, { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });
const resources = (): JsonSchema =>
  strict({
    requests: { type: 'object', additionalProperties: quantityOrNumber() },
    limits: { type: 'object', additionalProperties: quantityOrNumber() },
  });
const image = (): JsonSchema =>
  strict(
    {
      repository: str('Image repository', { minLength: 1 }),
      tag: str('Image tag (empty: the chart appVersion)'),
      pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
    },
    ['repository'],
  );
const probe = (): JsonSchema =>
  strict({
    enabled: bool(),
    initialDelaySeconds: int(0),
    periodSeconds: int(1),
    timeoutSeconds: int(1),
    failureThreshold: int(1),
    successThreshold: int(1),
  });
const existingSecret = (): JsonSchema =>
  strict({ existingSecret: optionalName(), existingSecretKey: envVarName() }, ['existingSecretKey']);

/** Connection settings; empty/null means "inherit global, then the built-in default". */
const connections = {
  kafka: () =>
    strict({ bootstrapServers: str('host:port[,host:port...]', { pattern: '^([^,\\s]+(,[^,\\s]+)*)?$' }) }),
  s3: () =>
    strict({
      endpoint: str('S3 endpoint URL or empty', { pattern: '^(https?://.+)?$' }),
      bucket: str(),
      region: str(),
      forcePathStyle: nullable(bool()),
      existingSecret: optionalName(),
      accessKeyIdKey: str(),
      secretAccessKeyKey: str(),
    }),
  auth: () =>
    strict({ issuer: str(), audience: str(), jwksUrl: str(undefined, { pattern: '^(https?://.+)?$' }) }),
  tracing: () => strict({ otlpEndpoint: str(undefined, { pattern: '^(https?://.+)?$' }) }),
};

/**
 * The kit's request limits (HTTP_* variables, services/platform/http/src/http/request-limits.ts),
 * each null to inherit; the minimums are the ones the kit's configuration accepts.
 */
const httpLimits = (): JsonSchema =>
  strict({
    headersTimeoutMs: nullable(int(1)),
    requestTimeoutMs: nullable(int(0)),
    maxHeaderBytes: nullable(int(1024)),
    maxHeaders: nullable(int(1)),
    bodyIdleTimeoutMs: nullable(int(1)),
    bodyGraceMs: nullable(int(0)),
    bodyMinBytesPerSecond: nullable(int(0)),
  });

const portList = (): JsonSchema => ({ ...arrayOf(port()), uniqueItems: true });

// An IPv4 or IPv6 address with an optional prefix length, checked the way the services check
// TRUSTED_PROXIES at start-up, so a typo fails `helm install` instead of a rollout.
const ipv4 = '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const h16 = '[0-9a-fA-F]{1,4}';
const ipv6 = [
  `(${h16}:){7}${h16}`,
  `(${h16}:){1,7}:`,
  `(${h16}:){1,6}:${h16}`,
  `(${h16}:){1,5}(:${h16}){1,2}`,
  `(${h16}:){1,4}(:${h16}){1,3}`,
  `(${h16}:){1,3}(:${h16}){1,4}`,
  `(${h16}:){1,2}(:${h16}){1,5}`,
  `${h16}:(:${h16}){1,6}`,
  `:((:${h16}){1,7}|:)`,
].join('|');
const proxyList = (): JsonSchema => ({
  ...arrayOf({
    anyOf: [
      str('IPv4 address or CIDR block', { pattern: `^${ipv4}(/(3[0-2]|[12]?[0-9]))?$` }),
      str('IPv6 address or CIDR block', { pattern: `^(${ipv6})(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?$` }),
    ],
  }),
  uniqueItems: true,
});

function networkPolicy(ports: string[]): JsonSchema {
  return strict({
    enabled: bool(),
    egressPorts: strict(Object.fromEntries(ports.map((p) => [p, portList()])), ports),
    extraIngress: arrayOf(k8sObject()),
    extraEgress: arrayOf(k8sObject()),
  });
}

/** What every chart built on moocflix-common has. */
function serviceProperties(options: {
  networkPolicyPorts: string[];
  autoscaling: boolean;
}): Record<string, JsonSchema> {
  return {
    // Injected by Helm: the umbrella chart's globals (validated by its own schema), the library's
    // (empty) values, and the umbrella's dependency condition.
    global: k8sObject(),
    'moocflix-common': k8sObject(),
    enabled: bool(),

    image: image(),
    imagePullSecrets: arrayOf(strict({ name: str(undefined, { minLength: 1 }) }, ['name'])),
    replicaCount: int(0),
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    nameOverride: optionalName(),
    fullnameOverride: optionalName(),
    commonLabels: stringMap(),
    podLabels: stringMap(),
    podAnnotations: stringMap(),
    resources: resources(),
    terminationGracePeriodSeconds: int(0),
    shutdownDelaySeconds: int(0),
    priorityClassName: str(),
    nodeSelector: stringMap(),
    affinity: k8sObject(),
    tolerations: arrayOf(k8sObject()),
    topologySpreadConstraints: arrayOf(k8sObject()),
    extraEnv: arrayOf(strict({ name: envVarName(), value: str(), valueFrom: k8sObject() }, ['name'])),
    extraEnvFrom: arrayOf(k8sObject()),
    extraVolumes: arrayOf(k8sObject()),
    extraVolumeMounts: arrayOf(k8sObject()),
    tmpVolume: strict({ sizeLimit: nullable(quantity()), medium: { enum: ['', 'Memory'] } }),
    podSecurityContext: k8sObject(),
    containerSecurityContext: k8sObject(),
    serviceAccount: strict({
      create: bool(),
      name: optionalName(),
      annotations: stringMap(),
      automountToken: bool(),
    }),
    startupProbe: probe(),
    livenessProbe: probe(),
    readinessProbe: probe(),
    service: strict({
      type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
      port: port(),
      annotations: stringMap(),
    }),
    kafka: connections.kafka(),
    s3: connections.s3(),
    auth: connections.auth(),
    tracing: connections.tracing(),
    pdb: strict({ enabled: bool(), minAvailable: nullable(intOrPercent()), maxUnavailable: intOrPercent() }),
    ...(options.autoscaling
      ? {
          autoscaling: strict({
            enabled: bool(),
            minReplicas: int(1),
            maxReplicas: int(1),
            targetCPUUtilizationPercentage: int(1, 100),
            targetMemoryUtilizationPercentage: nullable(int(1, 100)),
          }),
        }
      : {}),
    serviceMonitor: strict({
      enabled: bool(),
      interval: duration(),
      scrapeTimeout: duration(),
      labels: stringMap(),
    }),
    networkPolicy: networkPolicy(options.networkPolicyPorts),
  };
}

const database = (): JsonSchema =>
  strict({ existingSecret: optionalName(), existingSecretKey: envVarName(), poolMax: int(1) }, [
    'existingSecretKey',
  ]);

function chartSchema(title: string, properties: Record<string, JsonSchema>): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title,
    ...strict(properties),
  };
}

const service = (extra: Record<string, JsonSchema> = {}) => ({
  ...serviceProperties({ networkPolicyPorts: ['dns', 'kafka', 'postgresql', 's3'], autoscaling: true }),
  database: database(),
  trustedProxies: proxyList(),
  httpLimits: httpLimits(),
  ...extra,
});

/** The umbrella chart: each part's key holds that chart's values (validated by its own schema). */
function umbrellaSchema(): JsonSchema {
  const part = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({
    type: 'object',
    properties: { enabled: bool(), ...extra },
  });
  return chartSchema('MoocFlix umbrella chart values', {
    global: strict({
      kafka: connections.kafka(),
      s3: connections.s3(),
      auth: connections.auth(),
      tracing: connections.tracing(),
      trustedProxies: proxyList(),
      httpLimits: httpLimits(),
    }),
    users: part(),
    courses: part(),
    content: part(),
    assessments: part(),
    notifications: part(),
    transcoder: part(),
    operator: part({ intake: { type: 'object', properties: { enabled: bool() } } }),
    topics: strict({
      enabled: bool(),
      partitions: int(1, 10000),
      replicas: nullable(int(1, 32767)),
      deletionPolicy: { enum: ['Retain', 'Delete'] },
      deadLetterTopics: bool(),
      deadLetterRetentionMs: int(-1),
      sessionRevokedRetentionMs: int(1),
      progressRetentionMs: int(-1),
      overrides: {
        type: 'object',
        additionalProperties: strict({
          partitions: int(1, 10000),
          replicas: nullable(int(1, 32767)),
          config: { type: 'object', additionalProperties: { type: ['string', 'integer'] } },
        }),
      },
    }),
    ingress: strict({
      enabled: bool(),
      className: str(),
      host: str(),
      annotations: stringMap(),
      tls: arrayOf(strict({ hosts: arrayOf(str()), secretName: str() })),
    }),
    prometheusRule: strict({
      enabled: bool(),
      labels: stringMap(),
      for: duration(),
      eventsDelayedSeconds: int(1),
      serverErrorRatio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    }),
  });
}

/** Chart directory name → its values.schema.json. */
export function valuesSchemas(): Record<string, JsonSchema> {
  return {
    users: chartSchema('MoocFlix users chart values', {
      ...service(),
      jwt: existingSecret(),
      bootstrapAdmin: strict({ existingSecret: optionalName() }),
      accessTokenTtlSeconds: int(1),
      refreshTokenTtlSeconds: int(60),
      publicOrigin: str(undefined, { pattern: '^(https?://[^/?#\\s]+)?$' }),
    }),
    courses: chartSchema('MoocFlix courses chart values', service()),
    content: chartSchema('MoocFlix content chart values', {
      ...service(),
      playback: strict(
        { existingSecret: optionalName(), existingSecretKey: envVarName(), tokenTtlSeconds: int(10) },
        ['existingSecretKey'],
      ),
      upload: strict({ maxBytes: int(1) }),
      // The minimums are the ones services/content/src/content-config.ts accepts.
      transcodeAttempts: strict(
        { maxAttempts: int(1), leaseMs: int(100), queueTimeoutMs: int(100), leaseSweepIntervalMs: int(50) },
        ['maxAttempts', 'leaseMs', 'queueTimeoutMs', 'leaseSweepIntervalMs'],
      ),
    }),
    assessments: chartSchema('MoocFlix assessments chart values', service()),
    notifications: chartSchema('MoocFlix notifications chart values', {
      ...service(),
      retention: strict({ days: int(31) }),
    }),
    transcoder: chartSchema('MoocFlix transcoder chart values', {
      ...serviceProperties({ networkPolicyPorts: ['dns', 'kafka', 's3'], autoscaling: true }),
      transcoder: strict({
        concurrency: int(1),
        consumerGroup: str(undefined, { minLength: 1 }),
        timeLimitSeconds: int(1),
        chunkThresholdSeconds: int(0),
        chunkSeconds: int(2),
        previewMinSeconds: int(0),
        x264Preset: {
          enum: [
            'ultrafast',
            'superfast',
            'veryfast',
            'faster',
            'fast',
            'medium',
            'slow',
            'slower',
            'veryslow',
          ],
        },
      }),
    }),
    'moocflix-operator': chartSchema('MoocFlix operator chart values', {
      ...serviceProperties({
        networkPolicyPorts: ['dns', 'kafka', 's3', 'kubernetesApi'],
        autoscaling: false,
      }),
      watchNamespace: optionalName(),
      topicBackend: { enum: ['auto', 'strimzi', 'kafka'] },
      leaderElection: strict({
        enabled: bool(),
        leaseDurationSeconds: int(1),
        renewDeadlineSeconds: int(1),
        retryPeriodSeconds: int(1),
      }),
      strimzi: strict({ clusterName: str(undefined, { minLength: 1 }) }),
      intake: strict({ enabled: bool(), consumerGroup: str(undefined, { minLength: 1 }) }),
      jobs: strict({
        image: image(),
        minConcurrent: int(0),
        maxConcurrent: int(1),
        backoffLimit: int(0),
        activeDeadlineSeconds: int(1),
        ttlSecondsAfterFinished: int(0),
        retentionSeconds: int(0),
        timeLimitSeconds: int(1),
        chunkThresholdSeconds: int(0),
        chunkSeconds: int(2),
        previewMinSeconds: int(0),
        partParallelism: int(1, 100),
        x264Preset: {
          enum: [
            'ultrafast',
            'superfast',
            'veryfast',
            'faster',
            'fast',
            'medium',
            'slow',
            'slower',
            'veryslow',
          ],
        },
        // Four settings of the operator (TRANSCODE_CPU_REQUEST ...), not a free-form ResourceRequirements.
        resources: strict(
          {
            requests: strict({ cpu: quantityOrNumber(), memory: quantityOrNumber() }, ['cpu', 'memory']),
            limits: strict({ cpu: quantityOrNumber(), memory: quantityOrNumber() }, ['memory']),
          },
          ['requests', 'limits'],
        ),
        tmpSizeLimit: quantity(),
        serviceAccount: strict({ create: bool(), name: optionalName() }),
      }),
    }),
    moocflix: umbrellaSchema(),
  };
}
