import type { V1PodSpec } from '@kubernetes/client-node';
import { podSpecsOf, restrictedViolations } from './pod-security';

const compliant = (): V1PodSpec => ({
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'app',
      image: 'app:1',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
  ],
  volumes: [{ name: 'tmp', emptyDir: {} }],
});

test('a compliant pod spec has no violations', () => {
  expect(restrictedViolations(compliant())).toEqual([]);
});

test('container-level runAsNonRoot and seccomp satisfy the profile without the pod-level ones', () => {
  const spec = compliant();
  spec.securityContext = {};
  Object.assign(spec.containers[0]!.securityContext!, {
    runAsNonRoot: true,
    seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
  });
  expect(restrictedViolations(spec)).toEqual([]);
});

test.each([
  ['hostNetwork', (s: V1PodSpec) => (s.hostNetwork = true), 'hostNetwork must not be true'],
  ['hostPID', (s: V1PodSpec) => (s.hostPID = true), 'hostPID must not be true'],
  ['hostIPC', (s: V1PodSpec) => (s.hostIPC = true), 'hostIPC must not be true'],
  [
    'a hostPath volume',
    (s: V1PodSpec) => s.volumes!.push({ name: 'h', hostPath: { path: '/' } }),
    'volume h: type hostPath is not allowed',
  ],
  [
    'privileged',
    (s: V1PodSpec) => (s.containers[0]!.securityContext!.privileged = true),
    'container app: privileged must not be true',
  ],
  [
    'privilege escalation unset',
    (s: V1PodSpec) => delete s.containers[0]!.securityContext!.allowPrivilegeEscalation,
    'container app: allowPrivilegeEscalation must be false',
  ],
  [
    'runAsNonRoot missing',
    (s: V1PodSpec) => delete s.securityContext!.runAsNonRoot,
    'container app: runAsNonRoot must be true (in the container or the pod)',
  ],
  [
    'root user',
    (s: V1PodSpec) => (s.containers[0]!.securityContext!.runAsUser = 0),
    'container app: runAsUser must not be 0',
  ],
  [
    'seccomp missing',
    (s: V1PodSpec) => delete s.securityContext!.seccompProfile,
    'container app: seccompProfile.type must be RuntimeDefault or Localhost (in the container or the pod)',
  ],
  [
    'seccomp Unconfined',
    (s: V1PodSpec) => (s.securityContext!.seccompProfile!.type = 'Unconfined'),
    'pod seccompProfile.type Unconfined is not allowed',
  ],
  [
    'capabilities not dropped',
    (s: V1PodSpec) => (s.containers[0]!.securityContext!.capabilities = {}),
    'container app: capabilities.drop must include ALL',
  ],
  [
    'a capability added',
    (s: V1PodSpec) => (s.containers[0]!.securityContext!.capabilities!.add = ['SYS_ADMIN']),
    'container app: capability SYS_ADMIN may not be added',
  ],
  [
    'a host port',
    (s: V1PodSpec) => (s.containers[0]!.ports = [{ containerPort: 80, hostPort: 80 }]),
    'container app: hostPort 80 is not allowed',
  ],
  [
    'an unsafe sysctl',
    (s: V1PodSpec) => (s.securityContext!.sysctls = [{ name: 'kernel.msgmax', value: '1' }]),
    'sysctl kernel.msgmax is not allowed',
  ],
  [
    'an unconfined AppArmor profile',
    (s: V1PodSpec) => (s.containers[0]!.securityContext!.appArmorProfile = { type: 'Unconfined' }),
    'container app: appArmorProfile.type must not be Unconfined',
  ],
  [
    'a non-default /proc mount',
    (s: V1PodSpec) => (s.containers[0]!.securityContext!.procMount = 'Unmasked'),
    'container app: procMount must be Default',
  ],
  [
    'an SELinux user',
    (s: V1PodSpec) => (s.securityContext!.seLinuxOptions = { user: 'system_u' }),
    'pod: seLinuxOptions.user must not be set',
  ],
  [
    'a non-compliant init container',
    (s: V1PodSpec) => (s.initContainers = [{ name: 'init', image: 'i:1' }]),
    'initContainer init: allowPrivilegeEscalation must be false',
  ],
])('refuses %s', (_what, mutate, violation) => {
  const spec = compliant();
  mutate(spec);
  expect(restrictedViolations(spec)).toContain(violation);
});

test('finds the pod specs of workloads', () => {
  const template = { spec: compliant() };
  expect(podSpecsOf({ kind: 'Deployment', spec: { template } })).toHaveLength(1);
  expect(podSpecsOf({ kind: 'Job', spec: { template } })).toHaveLength(1);
  expect(podSpecsOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } })).toHaveLength(1);
  expect(podSpecsOf({ kind: 'Service', spec: {} })).toHaveLength(0);
});
