import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderKustomization, type RenderedManifest } from './strict-manifests';

// One kustomize render.
jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..');
const rendered = renderKustomization(path.join(ROOT, 'k8s', 'overlays', 'production'));

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  readonly from?: Peer[];
  readonly to?: Peer[];
  readonly ports?: { protocol?: string; port?: number | string }[];
}
interface Policy extends RenderedManifest {
  readonly spec: { podSelector: LabelSelector; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };
}
interface Workload extends RenderedManifest {
  readonly spec: {
    template: {
      metadata: { labels: Record<string, string> };
      spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] };
    };
  };
}

const policies = rendered.filter((m): m is Policy => m.kind === 'NetworkPolicy');
const workloads = rendered.filter((m): m is Workload => m.kind === 'Deployment' || m.kind === 'Job');
const config = (
  rendered.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'sms-gateway-config') as unknown as {
    data: Record<string, string>;
  }
).data;
const secrets = (
  rendered.find((m) => m.kind === 'Secret' && m.metadata.name === 'sms-gateway-secrets') as unknown as {
    stringData: Record<string, string>;
  }
).stringData;

function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return values.includes(labels[key] ?? '\u0000');
      case 'NotIn':
        return !values.includes(labels[key] ?? '\u0000');
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });

  return byLabels && byExpressions;
}

const labelsOf = (workload: Workload) => workload.spec.template.metadata.labels;
const nameOf = (selector: LabelSelector): string =>
  [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map((e) => `${e.key} ${e.operator} ${(e.values ?? []).join('|')}`),
  ].join(',');

/** Addresses no rule may reach out to "the internet" with: the cluster's and the machine's own. */
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'];
const PRIVATE_V6 = ['fc00::/7', 'fe80::/10', '::1/128'];

/** A peer as the spec names it: a workload of the namespace, a namespace (and its pods), the internet, or an IP. */
function describePeer(peer: Peer, among: readonly Workload[] = workloads): string {
  if (peer.ipBlock) {
    const { cidr, except = [] } = peer.ipBlock;
    const privateRanges = cidr === '0.0.0.0/0' ? PRIVATE_V4 : cidr === '::/0' ? PRIVATE_V6 : null;

    return privateRanges && privateRanges.every((range) => except.includes(range)) ? 'internet' : `ip:${cidr}`;
  }
  if (peer.namespaceSelector) {
    const namespace =
      peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? nameOf(peer.namespaceSelector);

    return peer.podSelector ? `ns:${namespace}/pod:${nameOf(peer.podSelector)}` : `ns:${namespace}`;
  }
  const selector = peer.podSelector ?? {};
  const ours = among.filter((w) => matches(selector, labelsOf(w))).map((w) => `svc:${w.metadata.name}`);

  return ours.length > 0 ? ours.join('+') : `pod:${nameOf(selector)}`;
}

/** Everything the policies selecting a workload allow, one `<direction> <peer> <protocol>/<port>` each. */
function allowed(
  workload: Workload,
  within: readonly Policy[] = policies,
  among: readonly Workload[] = workloads,
): { ingress: string[]; egress: string[] } {
  const result = { ingress: new Set<string>(), egress: new Set<string>() };
  for (const policy of within.filter((p) => matches(p.spec.podSelector, labelsOf(workload)))) {
    for (const direction of ['ingress', 'egress'] as const) {
      if (!policy.spec.policyTypes.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) {
        continue;
      }
      for (const rule of policy.spec[direction] ?? []) {
        const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
        // A rule without peers or ports allows every peer or every port: named so that the comparison shows it.
        const peerNames =
          peers.length > 0 ? [...new Set(peers.map((peer) => describePeer(peer, among)))] : ['ANY-PEER'];
        const ports = rule.ports?.length
          ? rule.ports.map((p) => `${p.protocol ?? 'TCP'}/${p.port ?? 'ANY'}`)
          : ['ANY-PORT'];
        peerNames.forEach((peer) => ports.forEach((port) => result[direction].add(`${peer} ${port}`)));
      }
    }
  }

  return { ingress: [...result.ingress].sort(), egress: [...result.egress].sort() };
}

// ---- What the code and configuration say each workload uses ----
const hostPort = (url: string): { host: string; port: number } => {
  const parsed = new URL(url.includes('://') ? url : `tcp://${url}`);

  return { host: parsed.hostname, port: Number(parsed.port) };
};
const httpPort = (service: string): number => {
  const workload = workloads.find((w) => w.metadata.name === service && w.kind === 'Deployment');
  const port = workload?.spec.template.spec.containers[0]?.ports?.find((p) => p.name === 'http')?.containerPort;
  if (port === undefined) {
    throw new Error(`no http port on Deployment ${service}`);
  }

  return port;
};
const SERVICES = ['intake', 'router', 'send-worker', 'dlr-ingest', 'dlr-processor', 'masking', 'opt-out'];
const sourcesOf = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/.test(entry.name),
    )
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
const libUses = (service: string, pattern: RegExp): boolean =>
  sourcesOf(path.join(ROOT, 'libs', service, 'feature', 'src')).some((source) => pattern.test(source));
/** Services with HTTP routes of their own (a Nest controller in their feature lib): callers reach them. */
const PUBLIC_APIS = SERVICES.filter((service) => libUses(service, /@Controller\(/));
/** Services that post to callers' URLs (account webhooks, status callbacks) through the outbound poster. */
const CALLBACK_SENDERS = SERVICES.filter((service) => libUses(service, /\bOutboundPoster\b/));
/**
 * Services that open connections to providers: send-worker sends and looks messages up, dlr-ingest holds the
 * SMPP receiver binds and fetches SNS certificates and subscription URLs. (router and dlr-processor load the
 * provider registry too, for capabilities and receipt parsing, and open no connection.)
 */
const PROVIDER_CALLERS = ['send-worker', 'dlr-ingest'];
const providersModuleApps = SERVICES.filter((service) =>
  readFileSync(path.join(ROOT, 'apps', service, 'src', 'main.ts'), 'utf8').includes('ProvidersModule'),
);

const kafka = hostPort(config['KAFKA_BROKERS']?.split(',')[0] ?? '');
const kafkaNamespace = kafka.host.split('.')[1];
const kafkaCluster = kafka.host.split('.')[0]?.replace(/-kafka-bootstrap$/, '');
const otlp = hostPort(config['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '');
const mysql = hostPort(secrets['MYSQL_URL'] ?? '');
const redis = hostPort(secrets['REDIS_URL'] ?? '');
const router = hostPort(config['ROUTER_URL'] ?? '');

const DNS = ['ns:kube-system/pod:k8s-app=kube-dns TCP/53', 'ns:kube-system/pod:k8s-app=kube-dns UDP/53'];
const MYSQL = `pod:app.kubernetes.io/name=${mysql.host.split('.')[0]} TCP/${mysql.port}`;
const KAFKA = `ns:${kafkaNamespace}/pod:strimzi.io/cluster=${kafkaCluster} TCP/${kafka.port}`;

function expectedFor(service: string): { ingress: string[]; egress: string[] } {
  const port = httpPort(service);
  const ingress = [`ns:monitoring TCP/${config['METRICS_PORT']}`];
  const egress = [
    ...DNS,
    MYSQL,
    `pod:app.kubernetes.io/name=${redis.host.split('.')[0]} TCP/${redis.port}`,
    KAFKA,
    `ns:${otlp.host.split('.')[1]} TCP/${otlp.port}`,
  ];
  if (PUBLIC_APIS.includes(service)) {
    ingress.push(`ns:ingress-nginx TCP/${port}`);
    if (service !== 'intake') {
      // The console's path proxy in intake reaches every other public API (and quotes reach the router).
      ingress.push(`svc:intake TCP/${port}`);
    }
  }
  if (service === 'intake') {
    egress.push(...PUBLIC_APIS.filter((s) => s !== 'intake').map((s) => `svc:${s} TCP/${httpPort(s)}`));
  }
  if (CALLBACK_SENDERS.includes(service) || PROVIDER_CALLERS.includes(service)) {
    egress.push('internet TCP/443');
  }
  if (PROVIDER_CALLERS.includes(service)) {
    egress.push(`internet TCP/${2775}`);
  }

  return { ingress: [...new Set(ingress)].sort(), egress: [...new Set(egress)].sort() };
}

describe('NetworkPolicies (production overlay)', () => {
  it('denies all ingress and egress to every pod of the namespace unless another policy allows it', () => {
    const denyAll = policies.filter(
      (p) =>
        Object.keys(p.spec.podSelector).length === 0 &&
        p.spec.policyTypes.includes('Ingress') &&
        p.spec.policyTypes.includes('Egress') &&
        (p.spec.ingress ?? []).length === 0 &&
        (p.spec.egress ?? []).length === 0,
    );
    expect(denyAll.map((p) => p.metadata.name)).toEqual(['default-deny']);
  });

  it('leaves no workload without a policy of its own, and no policy selecting nothing', () => {
    for (const workload of workloads) {
      const own = policies.filter(
        (p) => Object.keys(p.spec.podSelector).length > 0 && matches(p.spec.podSelector, labelsOf(workload)),
      );
      expect({ workload: workload.metadata.name, policies: own.length > 0 }).toEqual({
        workload: workload.metadata.name,
        policies: true,
      });
    }
    for (const policy of policies.filter((p) => Object.keys(p.spec.podSelector).length > 0)) {
      expect({
        policy: policy.metadata.name,
        selects: workloads.some((w) => matches(policy.spec.podSelector, labelsOf(w))),
      }).toEqual({ policy: policy.metadata.name, selects: true });
    }
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual([...SERVICES, 'db-migrate', 'kafka-topics'].sort());
  });

  it('reads what each service uses from the code and configuration', () => {
    // The derivations the expectations rest on; each would break loudly if the code moved.
    expect(PUBLIC_APIS.sort()).toEqual(['dlr-ingest', 'dlr-processor', 'intake', 'masking', 'opt-out', 'router']);
    expect(CALLBACK_SENDERS.sort()).toEqual(['dlr-processor', 'intake']);
    expect(providersModuleApps).toEqual(expect.arrayContaining(PROVIDER_CALLERS));
    expect({ host: router.host.split('.')[0], port: router.port }).toEqual({
      host: 'router',
      port: httpPort('router'),
    });
    expect(kafka.port).toBe(9093);
  });

  it.each(SERVICES)('%s: allows exactly what it uses', (service) => {
    const workload = workloads.find((w) => w.kind === 'Deployment' && w.metadata.name === service) as Workload;
    expect(allowed(workload)).toEqual(expectedFor(service));
  });

  it('lets the Jobs reach only the database (migrations) or Kafka (topics), and DNS', () => {
    const job = (name: string) => workloads.find((w) => w.kind === 'Job' && w.metadata.name === name) as Workload;
    expect(allowed(job('db-migrate'))).toEqual({ ingress: [], egress: [...DNS, MYSQL].sort() });
    expect(allowed(job('kafka-topics'))).toEqual({ ingress: [], egress: [...DNS, KAFKA].sort() });
  });

  it('names an unsafe rule so that the exact comparison fails on it', () => {
    const open: Policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'too-open' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'router' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }, { ports: [{ port: 443 }] }],
      },
    };
    policies.push(open);
    try {
      const router = workloads.find((w) => w.kind === 'Deployment' && w.metadata.name === 'router') as Workload;
      expect(allowed(router).egress).toEqual(expect.arrayContaining(['ip:0.0.0.0/0 ANY-PORT', 'ANY-PEER TCP/443']));
    } finally {
      policies.pop();
    }
  });
});

/** A private IPv4 range (RFC 1918): where a database or an inter-region link is, never the internet. */
const isPrivateRange = (cidr: string): boolean =>
  /^10\./.test(cidr) || /^192\.168\./.test(cidr) || /^172\.(1[6-9]|2\d|3[01])\./.test(cidr);

describe.each(['eu', 'us'])('NetworkPolicies (region-%s overlay)', (region) => {
  const regional = renderKustomization(path.join(ROOT, 'k8s', 'overlays', `region-${region}`));
  const regionPolicies = regional.filter((m): m is Policy => m.kind === 'NetworkPolicy');
  const regionWorkloads = regional.filter((m): m is Workload => m.kind === 'Deployment' || m.kind === 'Job');
  const regionConfig = (
    regional.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'sms-gateway-config') as unknown as {
      data: Record<string, string>;
    }
  ).data;
  const regionSecrets = (
    regional.find((m) => m.kind === 'Secret' && m.metadata.name === 'sms-gateway-secrets') as unknown as {
      stringData: Record<string, string>;
    }
  ).stringData;
  const globalDatabasePort = hostPort(regionSecrets['GLOBAL_MYSQL_URL'] ?? '').port;
  /** The other regions' intake ports (REGIONS), 443 for an https URL without one. */
  const peerPorts = (regionConfig['REGIONS'] ?? '')
    .split(',')
    .map((entry) => entry.split('='))
    .filter(([name]) => name !== regionConfig['REGION'])
    .map(([, url]) => Number(new URL(url ?? '').port || 443));
  const allowedHere = (name: string) =>
    allowed(regionWorkloads.find((w) => w.metadata.name === name) as Workload, regionPolicies, regionWorkloads);
  /** What a workload may reach here beyond the production overlay's, as `ip:<cidr> <port>`. */
  const extraEgress = (name: string, production: readonly string[]) =>
    allowedHere(name).egress.filter((rule) => !production.includes(rule));
  const ipRule = (rule: string) => /^ip:(\S+) TCP\/(\d+)$/.exec(rule);

  it('names the global database and at least one other region', () => {
    expect(globalDatabasePort).toBe(3306);
    expect(peerPorts.length).toBeGreaterThan(0);
    expect(regionWorkloads.map((w) => w.metadata.name).sort()).toEqual(
      [...SERVICES, 'db-migrate', 'db-migrate-global', 'kafka-topics'].sort(),
    );
  });

  it.each(SERVICES)(
    "%s: the production rules, the global database, and for intake the other regions' intakes",
    (service) => {
      expect(allowedHere(service).ingress).toEqual(expectedFor(service).ingress);
      const extra = extraEgress(service, expectedFor(service).egress).map(ipRule);
      // Every extra rule is a private address range on a named port: no new way out to the internet.
      expect(extra.every((rule) => rule !== null && isPrivateRange(rule[1] ?? ''))).toBe(true);
      const ports = extra.map((rule) => Number(rule?.[2])).sort();
      expect(ports).toEqual([globalDatabasePort, ...(service === 'intake' ? peerPorts : [])].sort());
    },
  );

  it('lets the global migrate Job reach the global database and DNS only', () => {
    const job = allowedHere('db-migrate-global');
    expect(job.ingress).toEqual([]);
    expect(job.egress.filter((rule) => !DNS.includes(rule)).map(ipRule)).toEqual([
      expect.arrayContaining([expect.stringMatching(/^10\./), String(globalDatabasePort)]),
    ]);
  });
});
