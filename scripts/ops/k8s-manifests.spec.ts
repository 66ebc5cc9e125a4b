import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TOPICS } from '@sms/contracts';
import { GLOBAL_TOPICS, SENSITIVE_KEYS, WEBHOOK_SECRET_KEYS } from '@sms/platform';
import { parseAllDocuments, parse } from 'yaml';
import { consumerGroups, subscriptionsIn } from './consumer-groups';
import { renderKustomization, STRICT_KINDS, strictManifestProblems, type RenderedManifest } from './strict-manifests';

// The strict check type-checks every rendered manifest: seconds, more on a busy machine.
jest.setTimeout(120_000);

const K8S = path.join(__dirname, '..', '..', 'k8s');
const BASE = path.join(K8S, 'base');
const OVERLAYS = ['production', 'local', 'region-eu', 'region-us'] as const;

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
  readonly file: string;
}

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
const gatewaySecret = (): Manifest => {
  const secret = ofKind('Secret').find((m) => m.metadata.name === 'sms-gateway-secrets');
  if (!secret) {
    throw new Error('no Secret sms-gateway-secrets in k8s/base');
  }

  return secret;
};

/** The fields the strict-check test breaks in copies of rendered manifests. */
interface EditableContainer {
  readinessProbe?: unknown;
  readinesProbe?: unknown;
  ports: { containerPort: unknown }[];
}
interface Editable {
  apiVersion: string;
  metadata: { name: string };
  spec: {
    maxReplicaCount?: unknown;
    maxReplicaCont?: unknown;
    scaleTargetRef?: unknown;
    policyTypes?: unknown;
    policyType?: unknown;
    secretTargetRef?: unknown;
    secretTargetRefs?: unknown;
    template: { spec: { containers: EditableContainer[] } };
  };
}

/** The Kafka scaler's parameters (KEDA docs, scalers/apache-kafka): any other key is a typo it ignores. */
const KAFKA_SCALER_PARAMETERS = new Set([
  'bootstrapServers',
  'consumerGroup',
  'topic',
  'lagThreshold',
  'activationLagThreshold',
  'offsetResetPolicy',
  'allowIdleConsumers',
  'scaleToZeroOnInvalidOffset',
  'excludePersistentLag',
  'limitToPartitionsWithLag',
  'ensureEvenDistributionOfPartitions',
  'partitionLimitation',
  'version',
  'sasl',
  'tls',
  'unsafeSsl',
]);

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
  it('render with kustomize into objects valid against current Kubernetes and KEDA schemas, unknown fields rejected', () => {
    const rendered = [...renderKustomization(BASE), ...renderKustomization(path.join(K8S, 'overlays', 'production'))];
    // The files' objects, plus the topics ConfigMap the kustomization generates.
    expect(
      renderKustomization(BASE)
        .map((m) => `${m.kind}/${m.metadata.name}`)
        .sort(),
    ).toEqual([...manifests.map((m) => `${m.kind}/${m.metadata.name}`), 'ConfigMap/sms-gateway-topics'].sort());
    expect(rendered.every((m) => m.kind === 'Namespace' || m.metadata.namespace === 'sms-gateway')).toBe(true);
    // Broken copies ride along in the same compilation: the check must catch each of them.
    const copy = (kind: string, name: string, edit: (m: Editable) => void): RenderedManifest => {
      const manifest = structuredClone(rendered.find((m) => m.kind === kind)) as unknown as Editable;
      manifest.metadata.name = name;
      edit(manifest);

      return manifest as unknown as RenderedManifest;
    };
    const broken = [
      copy('Deployment', 'typo-probe', (m) => {
        const [container] = m.spec.template.spec.containers as [EditableContainer];
        container.readinesProbe = container.readinessProbe;
        delete container.readinessProbe;
      }),
      copy('ScaledObject', 'typo-max', (m) => {
        m.spec.maxReplicaCont = m.spec.maxReplicaCount;
        delete m.spec.maxReplicaCount;
      }),
      copy('Deployment', 'wrong-type', (m) => {
        const [container] = m.spec.template.spec.containers as [EditableContainer];
        container.ports = [{ containerPort: 'http' }];
      }),
      copy('ScaledObject', 'missing-target', (m) => {
        delete m.spec.scaleTargetRef;
      }),
      copy('Deployment', 'old-api', (m) => {
        m.apiVersion = 'extensions/v1beta1';
      }),
      copy('NetworkPolicy', 'typo-policy-types', (m) => {
        m.spec.policyType = m.spec.policyTypes;
        delete m.spec.policyTypes;
      }),
      copy('TriggerAuthentication', 'typo-secret-ref', (m) => {
        m.spec.secretTargetRefs = m.spec.secretTargetRef;
        delete m.spec.secretTargetRef;
      }),
    ];
    const problems = strictManifestProblems([...rendered, ...broken]);
    const about = (name: string) => problems.filter((problem) => problem.includes(`/${name}`));

    expect(problems.filter((problem) => !broken.some((b) => problem.includes(`/${b.metadata.name}`)))).toEqual([]);
    expect(about('typo-probe').join('\n')).toMatch(/'"?readinesProbe"?' does not exist in type 'IContainer'/);
    expect(about('typo-max').join('\n')).toMatch(/'"?maxReplicaCont"?' does not exist in type/);
    expect(about('wrong-type').join('\n')).toMatch(/containerPort.*not assignable to type 'number'/);
    expect(about('missing-target').join('\n')).toMatch(/scaleTargetRef/);
    expect(about('old-api')).toEqual(['Deployment/old-api: no schema for apiVersion extensions/v1beta1']);
    expect(about('typo-policy-types').join('\n')).toMatch(/'"?policyType"?' does not exist in type/);
    expect(about('typo-secret-ref').join('\n')).toMatch(/'"?secretTargetRefs"?' does not exist in type/);
  });

  it.each(OVERLAYS)('renders the %s overlay into objects valid under the same strict schemas', (overlay) => {
    const rendered = renderKustomization(path.join(K8S, 'overlays', overlay));
    expect(strictManifestProblems(rendered)).toEqual([]);
    expect(rendered.every((m) => m.kind === 'Namespace' || m.metadata.namespace === 'sms-gateway')).toBe(true);
  });

  it('has a schema for exactly the kinds the renders contain', () => {
    const kinds = new Set(
      [BASE, ...OVERLAYS.map((overlay) => path.join(K8S, 'overlays', overlay))]
        .flatMap((dir) => renderKustomization(dir))
        .map((m) => `${m.apiVersion}/${m.kind}`),
    );
    expect([...kinds].sort()).toEqual([...STRICT_KINDS].sort());
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

  it('uses only trigger types and Kafka scaler parameters KEDA knows, with the ones the scaler needs', () => {
    for (const so of ofKind('ScaledObject')) {
      const spec = so.spec as { minReplicaCount: number; triggers: KafkaTrigger[] };
      for (const trigger of spec.triggers) {
        // The KEDA schema types a trigger's `type` and `metadata` as free strings: a typo would only show
        // as a ScaledObject that never scales.
        expect({ scaledObject: so.metadata.name, type: trigger.type }).toEqual({
          scaledObject: so.metadata.name,
          type: expect.stringMatching(/^(kafka|cpu|memory)$/),
        });
        if (trigger.type === 'kafka') {
          const keys = Object.keys(trigger.metadata);
          expect(keys.filter((key) => !KAFKA_SCALER_PARAMETERS.has(key))).toEqual([]);
          expect(keys).toEqual(expect.arrayContaining(['bootstrapServers', 'consumerGroup', 'topic', 'lagThreshold']));
        }
      }
      expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    }
  });

  it('scales on the lag of every consumer group the code subscribes, on each topic it reads, and of no other', () => {
    const groups = consumerGroups();
    const triggers = ofKind('ScaledObject').flatMap((so) =>
      (so.spec as { scaleTargetRef: { name: string }; triggers: KafkaTrigger[] }).triggers
        .filter((trigger) => trigger.type === 'kafka')
        .map(
          (trigger) =>
            `${(so.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name} ` +
            `${trigger.metadata['consumerGroup']} ${trigger.metadata['topic']}`,
        ),
    );
    // Deployment, group and topic, from the subscribe() calls of each service lib. A group missing here has
    // no trigger; a trigger left over names a group or topic the code no longer reads.
    const expected = groups
      .filter((group) => !group.perProcess)
      .flatMap((group) => group.topics.map((topic) => `${group.service} ${group.groupId} ${topic}`));
    expect(triggers.sort()).toEqual(expected.sort());
    expect(expected).toContain('router router-health sms.status.v1');
    expect(expected).toContain('opt-out opt-out sms.status.v1');
    // Per-process readers: every replica reads the whole (compacted) topic, so replicas do not share it.
    expect(groups.filter((group) => group.perProcess).map((group) => group.label)).toEqual([
      'mask-directory',
      'opt-out-replica',
    ]);
  });

  it.each(['eu', 'us'])(
    'scales region %s on its own prefixed groups, on its own topics and the global ones (as the services name them)',
    (region) => {
      const rendered = renderKustomization(path.join(K8S, 'overlays', `region-${region}`));
      const config = rendered.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'sms-gateway-config') as
        { data: Record<string, string> } | undefined;
      const prefix = config?.data['KAFKA_TOPIC_PREFIX'];
      expect(prefix).toBe(`${region}.`);
      // The topics every region shares (the opt-out ledger, erasure commands and reports) are read under the
      // global prefix by the region's own groups.
      const globalPrefix = config?.data['KAFKA_GLOBAL_TOPIC_PREFIX'];
      expect(globalPrefix).toBe('global.');
      const onBroker = (topic: string) => (GLOBAL_TOPICS.has(topic) ? `${globalPrefix}${topic}` : `${prefix}${topic}`);
      const triggers = rendered
        .filter((m) => m.kind === 'ScaledObject')
        .flatMap((so) => (so.spec as { triggers: KafkaTrigger[] }).triggers.filter((t) => t.type === 'kafka'))
        .map((trigger) => `${trigger.metadata['consumerGroup']} ${trigger.metadata['topic']}`);
      const expected = consumerGroups()
        .filter((group) => !group.perProcess)
        .flatMap((group) => group.topics.map((topic) => `${prefix}${group.groupId} ${onBroker(topic)}`));
      expect(triggers.sort()).toEqual(expected.sort());
      expect(triggers).toContain(`${region}.router-privacy global.sms.privacy.v1`);
      expect(triggers).toContain(`${region}.intake-privacy-reports global.sms.privacy.report.v1`);
    },
  );

  it('reads groups and topics from subscribe() calls, and refuses to guess', () => {
    const source = [
      "import { TOPICS, CONSUMER_GROUPS } from '@sms/contracts';",
      'const HEALTH = `${CONSUMER_GROUPS.router}-health`;',
      'bus.subscribe({ groupId: HEALTH, topics: [TOPICS.status, "sms.extra.v1"], handler });',
      'bus.subscribe({ groupId: `cache.${randomUUID()}`, topics: [TOPICS.mask], handler });',
      'consumer.subscribe({ topics: ["not-a-bus-call"], fromBeginning: true });',
    ].join('\n');
    expect(subscriptionsIn('x.ts', source)).toEqual([
      { groupId: 'router-health', topics: ['sms.status.v1', 'sms.extra.v1'] },
      { groupId: 'cache.<uuid>', topics: ['sms.mask.v1'] },
    ]);
    expect(() => subscriptionsIn('y.ts', 'bus.subscribe({ groupId: groupFor(x), topics: [] });')).toThrow(
      /y\.ts: cannot evaluate `groupFor\(x\)`/,
    );
    // A topic read only in some configurations still needs a trigger: both branches count.
    expect(
      subscriptionsIn(
        'z.ts',
        'bus.subscribe({ groupId: "g", topics: [TOPICS.send, ...(on ? [TOPICS.inbound] : [])] });',
      ),
    ).toEqual([{ groupId: 'g', topics: ['sms.send.v1', 'sms.inbound.v1'] }]);
    expect(() => subscriptionsIn('w.ts', 'bus.subscribe({ groupId: "g", topics: [...extra] });')).toThrow(
      /w\.ts: subscribe\(\) spreads `\.\.\.extra`/,
    );
  });

  it('never scales above the partition count of any topic a ScaledObject reads', () => {
    const brokers = ofKind('ConfigMap').find((c) => c.metadata.name === 'sms-gateway-config')?.data?.['KAFKA_BROKERS'];
    for (const so of ofKind('ScaledObject')) {
      const spec = so.spec as { maxReplicaCount: number; triggers: KafkaTrigger[] };
      for (const trigger of spec.triggers.filter((t) => t.type === 'kafka')) {
        const topic = trigger.metadata['topic'] as string;
        expect(Object.values(TOPICS)).toContain(topic);
        expect(trigger.metadata['bootstrapServers']).toBe(brokers);
        expect(Number(trigger.metadata['lagThreshold'])).toBeGreaterThan(0);
        expect({
          scaledObject: so.metadata.name,
          topic,
          withinPartitions: spec.maxReplicaCount <= (partitions.get(topic) ?? 0),
        }).toEqual({ scaledObject: so.metadata.name, topic, withinPartitions: true });
      }
    }
  });

  it('creates every topic with its partition count, and migrates, from Jobs in the image', () => {
    expect([...partitions.keys()].sort()).toEqual(Object.values(TOPICS).sort());
    const jobs = ofKind('Job');
    const commands = jobs.map((job) => JSON.stringify(job.spec));
    // The image's compiled scripts (npm run build:services), as the services run compiled code.
    expect(commands.some((c) => c.includes('"command":["node","dist/scripts/migrate.js"]'))).toBe(true);
    expect(
      commands.some((c) => c.includes('"node","dist/scripts/create-topics.js","/etc/sms-gateway/topics.json"')),
    ).toBe(true);
  });

  it('keeps only placeholders in the Secrets', () => {
    for (const [key, value] of Object.entries(gatewaySecret().stringData ?? {})) {
      expect({ key, placeholder: /CHANGE_ME|x{8,}|^redis:\/\/[^@]+$/.test(value) }).toEqual({ key, placeholder: true });
    }
    // KEDA's connection mode words, no credential: KEDA reads those from the services' own Secrets.
    const keda = ofKind('Secret').find((m) => m.metadata.name === 'sms-gateway-kafka-keda');
    expect(keda?.stringData).toEqual({ tls: 'disable' });
  });

  it('lists every provider secret the services read, and each Deployment gets exactly the ones it uses, by name', () => {
    const secret = gatewaySecret();
    const listed = Object.keys(secret.stringData ?? {});
    for (const key of [...WEBHOOK_SECRET_KEYS, ...SENSITIVE_KEYS.filter((k) => k !== 'SMS_GATEWAY_API_KEY')]) {
      expect({ key, listed: listed.includes(key) }).toEqual({ key, listed: true });
    }
    const expected: Record<string, string[]> = {
      intake: [
        'CALLBACK_SECRET',
        'INTERNAL_API_TOKEN',
        'MYSQL_URL',
        'PRIVACY_SALT',
        'REDIS_URL',
        'WEBHOOK_SECRETS_KEY',
      ],
      router: ['MYSQL_URL', 'PRIVACY_SALT', 'REDIS_URL'],
      masking: ['MYSQL_URL', 'PRIVACY_SALT', 'REDIS_URL'],
      'opt-out': ['MYSQL_URL', 'PRIVACY_SALT', 'REDIS_URL'],
      'dlr-processor': ['CALLBACK_SECRET', 'INTERNAL_API_TOKEN', 'MYSQL_URL', 'PRIVACY_SALT', 'REDIS_URL'],
      'dlr-ingest': [
        'INTERNAL_API_TOKEN',
        'MYSQL_URL',
        'PRIVACY_SALT',
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
        'PRIVACY_SALT',
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
