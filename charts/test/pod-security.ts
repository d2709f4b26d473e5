// The Pod Security Standards "restricted" profile (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
// checked on a pod spec as the apiserver's PodSecurity admission would, so a chart change that
// breaks it fails a unit test instead of a `helm install` into a restricted namespace. Covers the
// baseline controls a chart can get wrong (host namespaces, privileged, capabilities, host paths
// and ports, AppArmor, SELinux, /proc mount, seccomp, sysctls) and the restricted ones (volume
// types, privilege escalation, non-root, seccomp, capabilities).

type Obj = Record<string, unknown>;

const ALLOWED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

const obj = (value: unknown): Obj => (value && typeof value === 'object' ? (value as Obj) : {});
const list = (value: unknown): Obj[] => (Array.isArray(value) ? (value as Obj[]) : []);

/** The violations of the restricted profile in a PodSpec; empty when it complies. */
export function restrictedViolations(spec: object): string[] {
  const podSpec = spec as Obj;
  const problems: string[] = [];
  const podSc = obj(podSpec.securityContext);
  const containers = [
    ...list(podSpec.initContainers).map((c) => ({ kind: 'initContainer', c })),
    ...list(podSpec.containers).map((c) => ({ kind: 'container', c })),
    ...list(podSpec.ephemeralContainers).map((c) => ({ kind: 'ephemeralContainer', c })),
  ];
  if (!list(podSpec.containers).length) problems.push('no containers');

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (podSpec[field] === true) problems.push(`${field} must not be true`);
  }
  if (obj(podSc.windowsOptions).hostProcess === true)
    problems.push('pod windowsOptions.hostProcess must not be true');

  for (const volume of list(podSpec.volumes)) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    for (const type of types) {
      if (!ALLOWED_VOLUME_TYPES.has(type))
        problems.push(`volume ${String(volume.name)}: type ${type} is not allowed`);
    }
  }
  for (const sysctl of list(podSc.sysctls)) {
    if (!SAFE_SYSCTLS.has(String(sysctl.name))) problems.push(`sysctl ${String(sysctl.name)} is not allowed`);
  }
  checkSeLinux('pod', obj(podSc.seLinuxOptions), problems);
  checkAppArmor('pod', obj(podSc.appArmorProfile), problems);
  if (podSc.runAsUser === 0) problems.push('pod runAsUser must not be 0');

  const podSeccomp = obj(podSc.seccompProfile).type as string | undefined;
  if (podSeccomp !== undefined && !['RuntimeDefault', 'Localhost'].includes(podSeccomp)) {
    problems.push(`pod seccompProfile.type ${podSeccomp} is not allowed`);
  }

  for (const { kind, c } of containers) {
    const name = `${kind} ${String(c.name)}`;
    const sc = obj(c.securityContext);
    if (sc.privileged === true) problems.push(`${name}: privileged must not be true`);
    if (obj(sc.windowsOptions).hostProcess === true)
      problems.push(`${name}: windowsOptions.hostProcess must not be true`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default')
      problems.push(`${name}: procMount must be Default`);
    for (const p of list(c.ports)) {
      if (p.hostPort !== undefined && p.hostPort !== 0)
        problems.push(`${name}: hostPort ${String(p.hostPort)} is not allowed`);
    }
    checkSeLinux(name, obj(sc.seLinuxOptions), problems);
    checkAppArmor(name, obj(sc.appArmorProfile), problems);

    if (sc.allowPrivilegeEscalation !== false)
      problems.push(`${name}: allowPrivilegeEscalation must be false`);

    const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (runAsNonRoot !== true)
      problems.push(`${name}: runAsNonRoot must be true (in the container or the pod)`);
    if (sc.runAsUser === 0) problems.push(`${name}: runAsUser must not be 0`);

    const seccomp = (obj(sc.seccompProfile).type as string | undefined) ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      problems.push(
        `${name}: seccompProfile.type must be RuntimeDefault or Localhost (in the container or the pod)`,
      );
    }

    const capabilities = obj(sc.capabilities);
    const drop = (Array.isArray(capabilities.drop) ? capabilities.drop : []) as string[];
    if (!drop.includes('ALL')) problems.push(`${name}: capabilities.drop must include ALL`);
    const add = (Array.isArray(capabilities.add) ? capabilities.add : []) as string[];
    for (const cap of add) {
      if (cap !== 'NET_BIND_SERVICE') problems.push(`${name}: capability ${cap} may not be added`);
    }
  }
  return problems;
}

function checkSeLinux(where: string, options: Obj, problems: string[]): void {
  if (options.type !== undefined && !SELINUX_TYPES.has(String(options.type))) {
    problems.push(`${where}: seLinuxOptions.type ${String(options.type)} is not allowed`);
  }
  if (options.user !== undefined && options.user !== '')
    problems.push(`${where}: seLinuxOptions.user must not be set`);
  if (options.role !== undefined && options.role !== '')
    problems.push(`${where}: seLinuxOptions.role must not be set`);
}

function checkAppArmor(where: string, profile: Obj, problems: string[]): void {
  if (profile.type === 'Unconfined') problems.push(`${where}: appArmorProfile.type must not be Unconfined`);
}

/** Pod specs inside a rendered object: Pods, workload templates, CronJob job templates. */
export function podSpecsOf(object: object): Obj[] {
  const spec = obj((object as Obj).spec);
  switch ((object as Obj).kind) {
    case 'Pod':
      return [spec];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return [obj(obj(spec.template).spec)];
    case 'CronJob':
      return [obj(obj(obj(obj(spec.jobTemplate).spec).template).spec)];
    default:
      return [];
  }
}
