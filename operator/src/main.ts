// The operator process: `node --import tsx operator/src/main.ts`. Configuration from the
// environment (config.ts); Kubernetes credentials from KUBECONFIG, ~/.kube/config, or the pod's
// service account. SIGTERM releases the Lease (a standby takes over at once) and exits 0; losing
// the Lease exits 1 so the pod restarts clean.
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@moocflix/platform-core/log';
import { installProcessGuard } from '@moocflix/platform-core/process';
import { loadOperatorConfig } from './config';
import { KubeClient } from './controller-runtime/client';
import { createOperator } from './operator';

async function main(): Promise<void> {
  const config = loadOperatorConfig();
  const logger = createLogger('moocflix-operator', config.LOG_LEVEL);
  // The kit's policy for the unexpected: logged, counted, and the process exits non-zero (the pod restarts).
  const guard = installProcessGuard({ logger, name: 'moocflix-operator' });
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const client = await KubeClient.fromKubeConfig(kc);
  const operator = await createOperator(config, {
    logger,
    client,
    onLeadershipLost: () => {
      logger.error('leadership lost; exiting so that the pod restarts');
      process.exit(1);
    },
  });
  guard.registerMetrics(operator.registry);
  await operator.start();
  logger.info(
    {
      url: operator.manager.url,
      identity: operator.manager.identity,
      controllers: config.OPERATOR_CONTROLLERS,
      topicBackend: operator.topicBackend,
    },
    'operator started',
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping');
      operator.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
    });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
