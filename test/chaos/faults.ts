/**
 * The faults of `npm run chaos`. Each is injected while the load runs and resolves once it is lifted
 * (the process started again, the server back); what follows is the system's to recover from.
 * Processes are always addressed by pid, never by name.
 */
import { type ChaosEnvironment, SERVICES } from './environment';
import { type PrivateKafka, type PrivateMariaDb, type PrivateRedis, sleep } from './private-infra';
import type { ServiceName } from '../../scripts/distributed';

export interface FaultContext {
  readonly env: ChaosEnvironment;
  readonly mariadb?: PrivateMariaDb;
  readonly redis?: PrivateRedis;
  readonly kafka?: PrivateKafka;
  readonly log: (line: string) => void;
}

/** Which gateway a fault runs on: the shared broker (with a topic prefix) or the suite's own broker. */
export type Stage = 'shared-kafka' | 'own-kafka';

export interface Fault {
  readonly name: string;
  readonly stage: Stage;
  /** Cheap and passing on the code as it stands: may run in the short form. */
  readonly cheap?: boolean;
  /** What it needs beyond the gateway; a fault whose need is missing is reported as skipped. */
  readonly needs?: 'mariadb' | 'redis' | 'kafka';
  readonly describe: string;
  inject(ctx: FaultContext): Promise<void>;
}

/** kill -9 (or SIGTERM) of one service's process (slot 0) by pid, then the same service started again. */
function killAndRestart(service: ServiceName, signal: 'SIGKILL' | 'SIGTERM'): Fault {
  return {
    name: `${signal === 'SIGKILL' ? 'kill9' : 'sigterm'}:${service}`,
    stage: 'shared-kafka',
    cheap: signal === 'SIGKILL' && (service === 'send-worker' || service === 'dlr-processor'),
    describe: `${signal} of ${service} (by pid) mid-load, started again after 1 s`,
    inject: async ({ env, log }) => {
      const { pid, exitCode } = await env.signal(service, signal);
      log(`${service} pid ${pid} ${signal} → exit ${exitCode ?? 'by signal'}`);
      await sleep(1000);
      const started = await env.startReplica(service, 0);
      log(`${service} started again as pid ${started.child.pid}`);
    },
  };
}

export const FAULTS: readonly Fault[] = [
  ...SERVICES.map((service) => killAndRestart(service, 'SIGKILL')),
  ...SERVICES.map((service) => killAndRestart(service, 'SIGTERM')),
  {
    name: 'rolling-restart',
    stage: 'shared-kafka',
    describe:
      'every service replaced one at a time: a new process started, then the old one SIGTERMed (dlr-ingest: one replica at a time, the other serving)',
    inject: async ({ env, log }) => {
      for (const service of SERVICES) {
        if (service === 'dlr-ingest') {
          for (const slot of env.slotsOf(service)) {
            await env.signal(service, 'SIGTERM', slot);
            await env.startReplica(service, slot);
            log(`dlr-ingest slot ${slot} replaced`);
          }
          continue;
        }
        const [old] = env.slotsOf(service);
        const fresh = old === 0 ? 1 : 0;
        await env.startReplica(service, fresh);
        await env.signal(service, 'SIGTERM', old);
        log(`${service} replaced: slot ${old} → ${fresh}`);
      }
    },
  },
  {
    name: 'consumer-join-leave',
    stage: 'shared-kafka',
    describe: 'a second router, send-worker and dlr-processor join their groups mid-load, then leave (SIGTERM)',
    inject: async ({ env, log }) => {
      const joining: ServiceName[] = ['router', 'send-worker', 'dlr-processor'];
      for (const service of joining) {
        await env.startReplica(service, 2);
      }
      log('joined');
      await sleep(5000);
      for (const service of joining) {
        await env.signal(service, 'SIGTERM', 2);
      }
      log('left');
    },
  },
  {
    name: 'provider-errors',
    stage: 'shared-kafka',
    describe: 'every simulated provider answers 30% of submits with a transient error for 8 s',
    inject: async ({ env }) => {
      await env.knobs({ errorRate: { transient: 0.3 } });
      await sleep(8000);
      await env.knobs('defaults');
    },
  },
  {
    name: 'provider-timeouts',
    stage: 'shared-kafka',
    describe: 'every simulated provider creates 20% of messages but withholds the answer (ambiguous submits) for 8 s',
    inject: async ({ env }) => {
      await env.knobs({ timeoutAfterAcceptRate: 0.2 });
      await sleep(8000);
      await env.knobs('defaults');
    },
  },
  {
    name: 'receipts-delayed',
    stage: 'shared-kafka',
    describe: 'receipts 3 s late, 20% of finals posted twice and 20% before `sent` for 8 s',
    inject: async ({ env }) => {
      await env.knobs({ dlrDelayMs: 3000, duplicateDlrRate: 0.2, outOfOrderDlrRate: 0.2 });
      await sleep(8000);
      await env.knobs('defaults');
    },
  },
  {
    name: 'mariadb-down',
    stage: 'shared-kafka',
    needs: 'mariadb',
    describe: "the suite's own mariadbd stopped (SIGTERM by pid) for 10 s, then started again",
    inject: async ({ mariadb, log }) => {
      const pid = mariadb?.pid;
      await mariadb?.stop('SIGTERM');
      log(`mariadbd pid ${pid} stopped`);
      await sleep(10_000);
      await mariadb?.start();
      log(`mariadbd started again as pid ${mariadb?.pid}`);
    },
  },
  {
    name: 'redis-down',
    stage: 'shared-kafka',
    needs: 'redis',
    describe: "the suite's own redis-server killed (SIGKILL by pid) for 10 s, then started again (empty)",
    inject: async ({ redis, log }) => {
      const pid = redis?.pid;
      await redis?.stop('SIGKILL');
      log(`redis-server pid ${pid} killed`);
      await sleep(10_000);
      await redis?.start();
      log(`redis-server started again as pid ${redis?.pid}`);
    },
  },
  {
    name: 'broker-restart',
    stage: 'own-kafka',
    needs: 'kafka',
    describe: "the suite's own Kafka broker restarted on its data (SIGTERM by pid, same command line)",
    inject: async ({ kafka, log }) => {
      await kafka?.restart(true);
      log(`broker back as pid ${kafka?.pid}`);
    },
  },
  {
    name: 'broker-sigstop',
    stage: 'own-kafka',
    needs: 'kafka',
    describe: "the suite's own Kafka broker frozen (SIGSTOP by pid) for 10 s, then SIGCONT",
    inject: async ({ kafka }) => {
      kafka?.signal('SIGSTOP');
      try {
        await sleep(10_000);
      } finally {
        kafka?.signal('SIGCONT');
      }
    },
  },
  {
    name: 'broker-wiped',
    stage: 'own-kafka',
    needs: 'kafka',
    describe:
      "the suite's own Kafka broker stopped and started on empty storage (topics, offsets and records gone), topics created again",
    inject: async ({ env, kafka, log }) => {
      await kafka?.restart(false);
      await env.recreateTopics();
      log(`broker back empty as pid ${kafka?.pid}`);
    },
  },
];

/** The short form's faults (npm test): cheap ones that hold on the code as it stands. */
export const SHORT_FAULTS = FAULTS.filter((fault) => fault.cheap);
