// What kwok makes the fake nodes and pods do (kwok Stage API). Based on kwok's own "fast" node
// and pod stages, with a delay on each pod step so tests can observe Pending -> Running ->
// Succeeded, and one stage that fails pods carrying FAIL_POD_LABEL, so failing Jobs can be tested.
//
// Per pod, kwok's annotations override the delays, e.g. keep a Job's pod running for a minute:
//   pod-complete.stage.kwok.x-k8s.io/delay: "60s"   (also pod-ready.stage..., pod-fail.stage...)
// and the failing container's exit code / reason / message:
//   pod-fail.stage.kwok.x-k8s.io/exit-code: "2"    .../reason: "Error"    .../message: "boom"

/** Label on a pod (e.g. in a Job's pod template) that makes it fail after it has run. */
export const FAIL_POD_LABEL = 'kwok.moocflix.io/fail';
/** Annotation kwok manages nodes by; control-plane.ts puts it on the nodes it creates. */
export const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

type Expr = { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] };

function stage(
  name: string,
  kind: 'Node' | 'Pod',
  matchExpressions: Expr[],
  next: object,
  delayMs?: number,
): object {
  const delay =
    delayMs === undefined
      ? undefined
      : {
          durationMilliseconds: delayMs,
          durationFrom: { expressionFrom: `.metadata.annotations["${name}.stage.kwok.x-k8s.io/delay"]` },
        };
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: {
      resourceRef: { apiGroup: 'v1', kind },
      selector: { matchExpressions },
      ...(delay && { delay }),
      next,
    },
  };
}

const notDeleted: Expr = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const ownedByJob: Expr = { key: '.metadata.ownerReferences.[].kind', operator: 'In', values: ['Job'] };
const running: Expr = { key: '.status.phase', operator: 'In', values: ['Running'] };
const failLabel = `.metadata.labels["${FAIL_POD_LABEL}"]`;
const readyCondition = '.status.conditions.[] | select( .type == "Ready" ) | .status';

const nodeConditions = `
{{ $now := Now }}
{{ $lastTransitionTime := or .metadata.creationTimestamp $now }}
conditions:
{{ range NodeConditions }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $lastTransitionTime | Quote }}
  message: {{ .message | Quote }}
  reason: {{ .reason | Quote }}
  status: {{ .status | Quote }}
  type: {{ .type | Quote }}
{{ end }}`;

const nodeReady = `${nodeConditions}
addresses:
{{ with NodeIP }}
- address: {{ . | Quote }}
  type: InternalIP
{{ end }}
{{ with NodeName }}
- address: {{ . | Quote }}
  type: Hostname
{{ end }}
allocatable:
{{ with .status.allocatable }}
{{ YAML . 1 }}
{{ else }}
  cpu: 1k
  memory: 1Ti
  pods: 1M
{{ end }}
capacity:
{{ with .status.capacity }}
{{ YAML . 1 }}
{{ else }}
  cpu: 1k
  memory: 1Ti
  pods: 1M
{{ end }}
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version }}
phase: Running
`;

const podRunning = `
{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: ContainersReady
{{ range .spec.readinessGates }}
- lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: {{ .conditionType | Quote }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: true
  restartCount: 0
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: true
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      finishedAt: {{ $now | Quote }}
      reason: Completed
      startedAt: {{ $now | Quote }}
{{ end }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Running
startTime: {{ $now | Quote }}
`;

// Every container terminated; $exitCode, $reason and $message are set by the template before it.
const podTerminated = (phase: 'Succeeded' | 'Failed') => `
{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: PodCompleted
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: PodCompleted
  type: ContainersReady
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  restartCount: 0
  started: false
  state:
    terminated:
      exitCode: {{ $exitCode }}
      reason: {{ $reason | Quote }}
      message: {{ $message | Quote }}
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
phase: ${phase}
`;

const succeeded = `{{ $exitCode := 0 }}{{ $reason := "Completed" }}{{ $message := "" }}${podTerminated('Succeeded')}`;
const failed = `
{{ $annotations := or .metadata.annotations dict }}
{{ $exitCode := or ( index $annotations "pod-fail.stage.kwok.x-k8s.io/exit-code" ) 1 }}
{{ $reason := or ( index $annotations "pod-fail.stage.kwok.x-k8s.io/reason" ) "Error" }}
{{ $message := or ( index $annotations "pod-fail.stage.kwok.x-k8s.io/message" ) "failed by kwok (label ${FAIL_POD_LABEL})" }}
${podTerminated('Failed')}`;

/** The kwok configuration documents (multi-document YAML; each document is JSON). */
export function kwokStages(podStepDelayMs: number): string {
  const stages = [
    stage('node-initialize', 'Node', [{ key: readyCondition, operator: 'NotIn', values: ['True'] }], {
      statusTemplate: nodeReady,
    }),
    // With node leases kwok renews the Lease itself; this only refreshes the conditions now and then.
    stage(
      'node-heartbeat-with-lease',
      'Node',
      [
        { key: '.status.phase', operator: 'In', values: ['Running'] },
        { key: readyCondition, operator: 'In', values: ['True'] },
      ],
      { statusTemplate: nodeConditions },
      600_000,
    ),
    stage(
      'pod-ready',
      'Pod',
      [
        notDeleted,
        { key: '.status.phase', operator: 'In', values: ['Pending'] },
        { key: readyCondition, operator: 'NotIn', values: ['True'] },
      ],
      { statusTemplate: podRunning },
      podStepDelayMs,
    ),
    // Only Job pods finish; pods of Deployments etc. stay Running, as real ones would.
    stage(
      'pod-complete',
      'Pod',
      [notDeleted, running, ownedByJob, { key: failLabel, operator: 'NotIn', values: ['true'] }],
      { statusTemplate: succeeded },
      podStepDelayMs,
    ),
    stage(
      'pod-fail',
      'Pod',
      [notDeleted, running, { key: failLabel, operator: 'In', values: ['true'] }],
      { statusTemplate: failed },
      podStepDelayMs,
    ),
    // No kubelet to wait out the grace period: a deleted pod goes away at once.
    stage('pod-delete', 'Pod', [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }], {
      delete: true,
    }),
  ];
  return stages.map((s) => JSON.stringify(s)).join('\n---\n') + '\n';
}
