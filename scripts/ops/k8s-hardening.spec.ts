import path from 'node:path';
import { kafkaSecurityOfConfig, loadConfig } from '@sms/platform';
import { renderKustomization, type RenderedManifest } from './strict-manifests';

// Three kustomize renders: seconds each, more on a busy machine.
jest.setTimeout(120_000);

const K8S = path.join(__dirname, '..', '..', 'k8s');
const RENDERS = {
  base: renderKustomization(path.join(K8S, 'base')),
  production: renderKustomization(path.join(K8S, 'overlays', 'production')),
  local: renderKustomization(path.join(K8S, 'overlays', 'local')),
};
type RenderName = keyof typeof RENDERS;
const SERVICES = ['dlr-ingest', 'dlr-processor', 'intake', 'masking', 'opt-out', 'router', 'send-worker'];

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface PodSpec {
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly topologySpreadConstraints?: {
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector: { matchLabels: Record<string, string> };
    matchLabelKeys?: string[];
  }[];
  readonly containers: {
    readonly name: string;
    readonly env?: EnvVar[];
    readonly envFrom?: { configMapRef?: { name: string } }[];
    readonly volumeMounts?: { name: string; mountPath: string }[];
  }[];
  readonly volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}
interface Workload extends RenderedManifest {
  readonly spec: { replicas?: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
interface KafkaTrigger {
  readonly type: string;
  readonly metadata: Record<string, string>;
  readonly authenticationRef?: { name: string; kind?: string };
}

const ofKind = <T extends RenderedManifest>(render: RenderName, kind: string): T[] =>
  RENDERS[render].filter((m) => m.kind === kind) as T[];
const named = <T extends RenderedManifest>(render: RenderName, kind: string, name: string): T => {
  const found = ofKind<T>(render, kind).find((m) => m.metadata.name === name);
  if (!found) {
    throw new Error(`${render}: no ${kind}/${name}`);
  }

  return found;
};
const workloads = (render: RenderName): Workload[] => [
  ...ofKind<Workload>(render, 'Deployment'),
  ...ofKind<Workload>(render, 'Job'),
];
const configOf = (render: RenderName): Record<string, string> =>
  named<RenderedManifest & { data: Record<string, string> }>(render, 'ConfigMap', 'sms-gateway-config').data;
const kafkaTriggers = (render: RenderName) =>
  ofKind<RenderedManifest & { spec: { triggers: KafkaTrigger[] } }>(render, 'ScaledObject').flatMap((so) =>
    so.spec.triggers.filter((t) => t.type === 'kafka').map((trigger) => ({ scaledObject: so.metadata.name, trigger })),
  );
/** The workloads that open Kafka clients: every service (producers at least) and the topics Job. */
const kafkaClients = (render: RenderName): Workload[] =>
  workloads(render).filter((w) => w.metadata.name !== 'db-migrate');

describe('hardened k8s manifests', () => {
  it.each<RenderName>(['base', 'production', 'local'])(
    '%s: every pod runs under its own account with no API token mounted',
    (render) => {
      const accounts = ofKind<RenderedManifest & { automountServiceAccountToken?: boolean }>(render, 'ServiceAccount');
      for (const workload of workloads(render)) {
        const spec = workload.spec.template.spec;
        const name = workload.metadata.name;
        expect({ name, automount: spec.automountServiceAccountToken }).toEqual({ name, automount: false });
        expect({ name, account: spec.serviceAccountName ?? 'default' }).not.toEqual({ name, account: 'default' });
        const account = accounts.find((a) => a.metadata.name === spec.serviceAccountName);
        expect({ name, accountAutomount: account?.automountServiceAccountToken }).toEqual({
          name,
          accountAutomount: false,
        });
      }
      for (const service of SERVICES) {
        expect(named<Workload>(render, 'Deployment', service).spec.template.spec.serviceAccountName).toBe(service);
      }
    },
  );

  it('spreads each Deployment over zones and nodes, its own pods only, and production keeps replicas on distinct nodes', () => {
    for (const render of ['base', 'production'] as const) {
      for (const deployment of ofKind<Workload>(render, 'Deployment')) {
        const { labels } = deployment.spec.template.metadata;
        const constraints = deployment.spec.template.spec.topologySpreadConstraints ?? [];
        expect(constraints.map((c) => c.topologyKey)).toEqual([
          'topology.kubernetes.io/zone',
          'kubernetes.io/hostname',
        ]);
        for (const constraint of constraints) {
          expect(constraint.maxSkew).toBe(1);
          expect(constraint.labelSelector.matchLabels).toEqual(labels);
          expect(constraint.matchLabelKeys).toEqual(['pod-template-hash']);
        }
        expect(constraints.map((c) => c.whenUnsatisfiable)).toEqual(
          render === 'production' ? ['ScheduleAnyway', 'DoNotSchedule'] : ['ScheduleAnyway', 'ScheduleAnyway'],
        );
      }
    }
    for (const so of ofKind<RenderedManifest & { spec: { minReplicaCount: number } }>('production', 'ScaledObject')) {
      expect({ name: so.metadata.name, min: so.spec.minReplicaCount >= 2 }).toEqual({
        name: so.metadata.name,
        min: true,
      });
    }
  });

  it.each<RenderName>(['base', 'production'])(
    '%s: every Kafka trigger authenticates through the TriggerAuthentication, and reads the services’ brokers',
    (render) => {
      const auth = named<
        RenderedManifest & { spec: { secretTargetRef: { parameter: string; name: string; key: string }[] } }
      >(render, 'TriggerAuthentication', 'sms-gateway-kafka');
      const triggers = kafkaTriggers(render);
      expect(triggers.length).toBeGreaterThan(10);
      for (const { scaledObject, trigger } of triggers) {
        expect({ scaledObject, ref: trigger.authenticationRef }).toEqual({
          scaledObject,
          ref: { name: auth.metadata.name },
        });
        expect({ scaledObject, bootstrap: trigger.metadata['bootstrapServers'] }).toEqual({
          scaledObject,
          bootstrap: configOf(render)['KAFKA_BROKERS'],
        });
      }
      // Every parameter reads a key that exists in a Secret of the render.
      for (const ref of auth.spec.secretTargetRef) {
        const secret = named<RenderedManifest & { stringData?: Record<string, string> }>(render, 'Secret', ref.name);
        expect({ parameter: ref.parameter, key: Object.keys(secret.stringData ?? {}).includes(ref.key) }).toEqual({
          parameter: ref.parameter,
          key: true,
        });
      }
      const parameters = auth.spec.secretTargetRef.map((ref) => ref.parameter).sort();
      expect(parameters).toEqual(render === 'production' ? ['ca', 'password', 'sasl', 'tls', 'username'] : ['tls']);
    },
  );

  it('production: Kafka over TLS with SCRAM-SHA-512 for the services, the topics Job and KEDA alike', () => {
    const config = configOf('production');
    // The app's own validation accepts the ConfigMap with the Secret's two keys, as a pod would see them.
    const app = loadConfig({
      ...config,
      MYSQL_URL: 'mysql://sms@mysql:3306/sms',
      REDIS_URL: 'redis://redis:6379',
      KAFKA_SASL_USERNAME: 'sms-gateway',
      KAFKA_SASL_PASSWORD: 'from-the-secret',
    });
    expect(kafkaSecurityOfConfig(app)).toEqual({
      ssl: true,
      caFile: '/etc/kafka-ca/ca.crt',
      sasl: { mechanism: 'scram-sha-512', username: 'sms-gateway', password: 'from-the-secret' },
    });
    const kedaMode = named<RenderedManifest & { stringData: Record<string, string> }>(
      'production',
      'Secret',
      'sms-gateway-kafka-keda',
    ).stringData;
    expect(kedaMode).toEqual({ sasl: 'scram_sha512', tls: 'enable' });

    expect(
      kafkaClients('production')
        .map((w) => w.metadata.name)
        .sort(),
    ).toEqual([...SERVICES, 'kafka-topics'].sort());
    for (const workload of kafkaClients('production')) {
      const name = workload.metadata.name;
      const spec = workload.spec.template.spec;
      const [container] = spec.containers;
      const fromSecret = (container?.env ?? []).filter((v) => v.name.startsWith('KAFKA_SASL_'));
      expect({ name, sasl: fromSecret.map((v) => v.valueFrom?.secretKeyRef) }).toEqual({
        name,
        sasl: [
          { name: 'sms-gateway-secrets', key: 'KAFKA_SASL_USERNAME' },
          { name: 'sms-gateway-secrets', key: 'KAFKA_SASL_PASSWORD' },
        ],
      });
      expect(container?.envFrom).toContainEqual({ configMapRef: { name: 'sms-gateway-config' } });
      // The CA file the ConfigMap names exists in the container: the volume's item at the mount path.
      const mount = container?.volumeMounts?.find((m) => config['KAFKA_SSL_CA_FILE']?.startsWith(`${m.mountPath}/`));
      const volume = spec.volumes?.find((v) => v.name === mount?.name);
      expect({ name, file: `${mount?.mountPath}/${volume?.secret?.items?.[0]?.path}` }).toEqual({
        name,
        file: config['KAFKA_SSL_CA_FILE'],
      });
      expect(volume?.secret?.secretName).toBe('sms-gateway-kafka-ca');
    }
    // db-migrate opens no Kafka client and gets no Kafka credential.
    const migrate = named<Workload>('production', 'Job', 'db-migrate').spec.template.spec.containers[0];
    expect((migrate?.env ?? []).map((v) => v.name)).toEqual(['MYSQL_URL']);
  });

  it('local: one replica each, plaintext Kafka, no KEDA and no NetworkPolicies to install', () => {
    const config = configOf('local');
    expect(config['KAFKA_SSL']).toBeUndefined();
    expect(config['KAFKA_SASL_MECHANISM']).toBeUndefined();
    expect(kafkaSecurityOfConfig(loadConfig({ ...config, MYSQL_URL: 'mysql://x/y', REDIS_URL: 'redis://r' }))).toEqual({
      ssl: false,
    });
    for (const kind of ['ScaledObject', 'TriggerAuthentication', 'NetworkPolicy']) {
      expect({ kind, count: ofKind('local', kind).length }).toEqual({ kind, count: 0 });
    }
    expect(ofKind('local', 'Secret').map((s) => s.metadata.name)).toEqual(['sms-gateway-secrets']);
    for (const deployment of ofKind<Workload>('local', 'Deployment')) {
      expect({ name: deployment.metadata.name, replicas: deployment.spec.replicas }).toEqual({
        name: deployment.metadata.name,
        replicas: 1,
      });
      const env = deployment.spec.template.spec.containers[0]?.env ?? [];
      expect(env.filter((v) => v.name.startsWith('KAFKA_SASL_'))).toEqual([]);
    }
  });
});
