import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import { SENSITIVE_KEYS, WEBHOOK_SECRET_KEYS } from '@sms/platform';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments, parse } from 'yaml';

const BASE = path.join(__dirname, '..', '..', 'k8s', 'base');

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
  readonly file: string;
}

/**
 * The schema models (kubernetes-models, @kubernetes-models/keda) by apiVersion/kind: an unknown kind fails.
 * `as never` where a model demands fields up front: the YAML is untyped input, and checking it is what
 * validate() is for.
 */
const MODELS: Record<string, (data: object) => { validate(): void }> = {
  'apps/v1/Deployment': (d) => new Deployment(d),
  'v1/Service': (d) => new Service(d),
  'v1/ConfigMap': (d) => new ConfigMap(d),
  'v1/Secret': (d) => new Secret(d),
  'v1/Namespace': (d) => new Namespace(d),
  'batch/v1/Job': (d) => new Job(d),
  'policy/v1/PodDisruptionBudget': (d) => new PodDisruptionBudget(d),
  'keda.sh/v1alpha1/ScaledObject': (d) => new ScaledObject(d as never),
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? yamlFiles(path.join(dir, entry.name))
      : entry.name.endsWith('.yaml') && entry.name !== 'kustomization.yaml'
        ? [path.join(dir, entry.name)]
        : [],
  );
}

const manifests: Manifest[] = yamlFiles(BASE).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }

    return { ...(doc.toJSON() as Omit<Manifest, 'file'>), file: path.relative(BASE, file) };
  }),
);
const partitions = new Map(
  (
    JSON.parse(readFileSync(path.join(BASE, 'topics.json'), 'utf8')) as {
      topics: { topic: string; numPartitions: number }[];
    }
  ).topics.map((t) => [t.topic, t.numPartitions]),
);
const ofKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);

interface KafkaTrigger {
  readonly type: string;
  readonly metadata: Record<string, string>;
}
interface Container {
  readonly name: string;
  readonly ports?: { containerPort: number }[];
  readonly env?: { name: string; value?: string }[];
  readonly resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readonly readinessProbe?: { httpGet?: { path: string } };
  readonly livenessProbe?: { httpGet?: { path: string } };
}
interface SecretUsingContainer {
  readonly env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readonly envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
}
const podSpecOf = (deployment: Manifest) =>
  (
    deployment.spec as {
      template: {
        metadata: { labels: Record<string, string> };
        spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
      };
    }
  ).template;

describe('k8s manifests', () => {
  it('are all known kinds and valid against the Kubernetes and KEDA schemas', () => {
    expect(manifests.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const manifest of manifests) {
      const model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      if (!model) {
        problems.push(`${manifest.file}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
        continue;
      }
      const { file: _file, ...data } = manifest;
      try {
        model(data).validate();
      } catch (error) {
        problems.push(`${manifest.file} ${manifest.kind}/${manifest.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the schema check is not vacuous: a broken Deployment and a ScaledObject with a numeric lagThreshold fail', () => {
    const deployment = ofKind('Deployment')[0] as Manifest;
    const broken = JSON.parse(JSON.stringify(deployment)) as {
      spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } };
    };
    (broken.spec.template.spec.containers[0] as { ports: { containerPort: unknown }[] }).ports[0] = {
      containerPort: 'http',
    };
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort/);
    expect(() =>
      new ScaledObject({
        metadata: { name: 'x' },
        spec: { scaleTargetRef: { name: 'x' }, triggers: [{ type: 'kafka', metadata: { lagThreshold: 5 } }] },
      } as unknown as ConstructorParameters<typeof ScaledObject>[0]).validate(),
    ).toThrow(/lagThreshold/);
  });

  it('kustomization lists every manifest file', () => {
    const kustomization = parse(readFileSync(path.join(BASE, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    const files = new Set(manifests.map((m) => m.file));
    expect(new Set(kustomization.resources)).toEqual(files);
  });

  it('gives every service a Deployment with probes, resources and a drain window, a Service, a PDB and a ScaledObject', () => {
    const services = ofKind('Service');
    const pdbs = ofKind('PodDisruptionBudget');
    const scaled = ofKind('ScaledObject');
    for (const deployment of ofKind('Deployment')) {
      const name = deployment.metadata.name;
      const template = podSpecOf(deployment);
      expect({ name, replicas: (deployment.spec as { replicas?: number }).replicas }).toEqual({
        name,
        replicas: undefined,
      });
      expect(template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
      const [container] = template.spec.containers;
      expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(container?.resources?.requests?.['cpu']).toBeDefined();
      expect(container?.resources?.requests?.['memory']).toBeDefined();
      expect(container?.resources?.limits?.['memory']).toBeDefined();
      const port = container?.ports?.[0]?.containerPort;
      expect(container?.env?.find((e) => e.name === 'PORT')?.value).toBe(String(port));

      const service = services.find((s) => s.metadata.name === name);
      const selector = (service?.spec as { selector: Record<string, string> } | undefined)?.selector ?? {};
      expect(Object.entries(selector).every(([k, v]) => template.metadata.labels[k] === v)).toBe(true);
      expect(pdbs.some((p) => p.metadata.name === name)).toBe(true);
      const so = scaled.find((s) => (s.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === name);
      expect({ name, scaledObject: so !== undefined }).toEqual({ name, scaledObject: true });
    }
    expect(
      ofKind('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['dlr-ingest', 'dlr-processor', 'intake', 'masking', 'opt-out', 'router', 'send-worker']);
  });

  it("scrapes /metrics on each pod's metrics listener, which the Service does not expose", () => {
    const config = ofKind('ConfigMap').find((c) => c.metadata.name === 'sms-gateway-config');
    expect(config?.data?.['METRICS_PORT']).toBe('9464');
    expect(config?.data?.['METRICS_HOST']).toBe('0.0.0.0');
    expect(config?.data?.['METRICS_TOKEN']).toBeUndefined();
    for (const deployment of ofKind('Deployment')) {
      const name = deployment.metadata.name;
      const template = podSpecOf(deployment) as ReturnType<typeof podSpecOf> & {
        metadata: { annotations?: Record<string, string> };
      };
      expect({ name, annotations: template.metadata.annotations }).toEqual({
        name,
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' },
      });
      const ports = (template.spec.containers[0]?.ports ?? []) as { name?: string; containerPort: number }[];
      expect(ports.find((port) => port.name === 'metrics')?.containerPort).toBe(9464);
      const service = ofKind('Service').find((s) => s.metadata.name === name);
      const servicePorts = (service?.spec as { ports: { port: number; targetPort?: unknown }[] }).ports;
      expect(
        servicePorts.some((port) => port.port === 9464 || port.targetPort === 9464 || port.targetPort === 'metrics'),
      ).toBe(false);
    }
  });

  it('scales each consumer group on its own lag, never above the partition count of any topic it consumes', () => {
    const brokers = ofKind('ConfigMap').find((c) => c.metadata.name === 'sms-gateway-config')?.data?.['KAFKA_BROKERS'];
    const groups = new Set<string>();
    for (const so of ofKind('ScaledObject')) {
      const spec = so.spec as { maxReplicaCount: number; minReplicaCount: number; triggers: KafkaTrigger[] };
      const kafka = spec.triggers.filter((t) => t.type === 'kafka');
      for (const trigger of kafka) {
        const topic = trigger.metadata['topic'] as string;
        expect(Object.values(TOPICS)).toContain(topic);
        expect(Object.values(CONSUMER_GROUPS)).toContain(trigger.metadata['consumerGroup']);
        expect(trigger.metadata['bootstrapServers']).toBe(brokers);
        expect(Number(trigger.metadata['lagThreshold'])).toBeGreaterThan(0);
        const limit = partitions.get(topic);
        expect({
          scaledObject: so.metadata.name,
          topic,
          maxReplicaCount: spec.maxReplicaCount <= (limit ?? 0),
        }).toEqual({
          scaledObject: so.metadata.name,
          topic,
          maxReplicaCount: true,
        });
        groups.add(trigger.metadata['consumerGroup'] as string);
      }
      // One consumer group per ScaledObject: each service scales on its own lag only.
      expect(new Set(kafka.map((t) => t.metadata['consumerGroup'])).size).toBeLessThanOrEqual(1);
      expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    }
    expect([...groups].sort()).toEqual(Object.values(CONSUMER_GROUPS).sort());
  });

  it('creates every topic with its partition count, and migrates, from Jobs in the image', () => {
    expect([...partitions.keys()].sort()).toEqual(Object.values(TOPICS).sort());
    const jobs = ofKind('Job');
    const commands = jobs.map((job) => JSON.stringify(job.spec));
    expect(commands.some((c) => c.includes('"npm","run","db:migrate"'))).toBe(true);
    expect(commands.some((c) => c.includes('scripts/create-topics.ts'))).toBe(true);
  });

  it('keeps only placeholders in the Secret', () => {
    const secret = ofKind('Secret')[0] as Manifest;
    for (const [key, value] of Object.entries(secret.stringData ?? {})) {
      expect({ key, placeholder: /CHANGE_ME|x{8,}|^redis:\/\/[^@]+$/.test(value) }).toEqual({ key, placeholder: true });
    }
  });

  it('lists every provider secret the services read, and each Deployment gets exactly the ones it uses, by name', () => {
    const secret = ofKind('Secret')[0] as Manifest;
    const listed = Object.keys(secret.stringData ?? {});
    for (const key of [...WEBHOOK_SECRET_KEYS, ...SENSITIVE_KEYS.filter((k) => k !== 'SMS_GATEWAY_API_KEY')]) {
      expect({ key, listed: listed.includes(key) }).toEqual({ key, listed: true });
    }
    const expected: Record<string, string[]> = {
      intake: ['MYSQL_URL', 'REDIS_URL', 'WEBHOOK_SECRETS_KEY'],
      router: ['MYSQL_URL', 'REDIS_URL'],
      masking: ['MYSQL_URL', 'REDIS_URL'],
      'opt-out': ['MYSQL_URL', 'REDIS_URL'],
      'dlr-processor': ['CALLBACK_SECRET', 'MYSQL_URL', 'REDIS_URL'],
      'dlr-ingest': [
        'MYSQL_URL',
        'REDIS_URL',
        'SINCH_CALLBACK_SECRET',
        'SMPP_PASSWORD',
        'SMPP_SYSTEM_ID',
        'TWILIO_ACCOUNT_SID',
        'TWILIO_AUTH_TOKEN',
        'VONAGE_SIGNATURE_SECRET',
      ],
      'send-worker': [
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'MYSQL_URL',
        'REDIS_URL',
        'SINCH_API_TOKEN',
        'SINCH_SERVICE_PLAN_ID',
        'SMPP_PASSWORD',
        'SMPP_SYSTEM_ID',
        'TWILIO_ACCOUNT_SID',
        'TWILIO_AUTH_TOKEN',
        'VONAGE_API_KEY',
        'VONAGE_API_SECRET',
      ],
    };
    const podSpecs = [...ofKind('Deployment'), ...ofKind('Job')].map((workload) => ({
      name: workload.metadata.name,
      containers: (workload.spec as { template: { spec: { containers: SecretUsingContainer[] } } }).template.spec
        .containers,
    }));
    for (const { name, containers } of podSpecs) {
      for (const container of containers) {
        // No container takes the whole Secret.
        expect({
          name,
          wholeSecret: (container.envFrom ?? []).some((source) => source.secretRef !== undefined),
        }).toEqual({
          name,
          wholeSecret: false,
        });
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (ref) {
            expect({ name, variable: variable.name, ref }).toEqual({
              name,
              variable: variable.name,
              ref: { name: secret.metadata.name, key: variable.name },
            });
            expect(listed).toContain(ref.key);
          }
        }
      }
    }
    for (const [name, keys] of Object.entries(expected)) {
      const container = podSpecs.find((spec) => spec.name === name)?.containers[0];
      const fromSecret = (container?.env ?? []).filter((v) => v.valueFrom?.secretKeyRef).map((v) => v.name);
      expect({ name, secrets: fromSecret.sort() }).toEqual({ name, secrets: keys });
    }
  });
});
