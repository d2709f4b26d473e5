import { podSpecsOf, restrictedViolations } from './pod-security';

const compliant = () => ({
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
  spec.securityContext = {} as never;
  Object.assign(spec.containers[0]!.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } });
  expect(restrictedViolations(spec)).toEqual([]);
});

test.each([
  ['hostNetwork', (s: any) => (s.hostNetwork = true), 'hostNetwork must not be true'],
  ['hostPID', (s: any) => (s.hostPID = true), 'hostPID must not be true'],
  ['hostIPC', (s: any) => (s.hostIPC = true), 'hostIPC must not be true'],
  ['a hostPath volume', (s: any) => s.volumes.push({ name: 'h', hostPath: { path: '/' } }), 'volume h: type hostPath is not allowed'],
  ['privileged', (s: any) => (s.containers[0].securityContext.privileged = true), 'container app: privileged must not be true'],
  ['privilege escalation unset', (s: any) => delete s.containers[0].securityContext.allowPrivilegeEscalation, 'container app: allowPrivilegeEscalation must be false'],
  ['runAsNonRoot missing', (s: any) => delete s.securityContext.runAsNonRoot, 'container app: runAsNonRoot must be true (in the container or the pod)'],
  ['root user', (s: any) => (s.containers[0].securityContext.runAsUser = 0), 'container app: runAsUser must not be 0'],
  ['seccomp missing', (s: any) => delete s.securityContext.seccompProfile, 'container app: seccompProfile.type must be RuntimeDefault or Localhost (in the container or the pod)'],
  ['seccomp Unconfined', (s: any) => (s.securityContext.seccompProfile.type = 'Unconfined'), 'pod seccompProfile.type Unconfined is not allowed'],
  ['capabilities not dropped', (s: any) => (s.containers[0].securityContext.capabilities = {}), 'container app: capabilities.drop must include ALL'],
  ['a capability added', (s: any) => (s.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']), 'container app: capability SYS_ADMIN may not be added'],
  ['a host port', (s: any) => (s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]), 'container app: hostPort 80 is not allowed'],
  ['an unsafe sysctl', (s: any) => (s.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]), 'sysctl kernel.msgmax is not allowed'],
  ['an unconfined AppArmor profile', (s: any) => (s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }), 'container app: appArmorProfile.type must not be Unconfined'],
  ['a non-default /proc mount', (s: any) => (s.containers[0].securityContext.procMount = 'Unmasked'), 'container app: procMount must be Default'],
  ['an SELinux user', (s: any) => (s.securityContext.seLinuxOptions = { user: 'system_u' }), 'pod: seLinuxOptions.user must not be set'],
  ['a non-compliant init container', (s: any) => (s.initContainers = [{ name: 'init', image: 'i:1' }]), 'initContainer init: allowPrivilegeEscalation must be false'],
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
