import { execFileSync } from 'node:child_process';
import path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/**
 * Strict validation of Kubernetes manifests: unknown fields are errors, as with `kubectl apply
 * --validate=strict` against a live API server (which CI has not).
 *
 * The schemas are the TypeScript interfaces of kubernetes-models (generated from the Kubernetes OpenAPI
 * spec) and @kubernetes-models/keda (generated from KEDA's Go API types), both kept current on npm. The
 * packages' runtime validators check types and required fields but accept any unknown field (the OpenAPI
 * spec does not close its objects), which is how `readinesProbe` and `maxReplicaCont` passed. The
 * TypeScript compiler closes them: each manifest becomes an object literal typed with its kind's interface,
 * and a literal may only name known properties (TS2353/TS2561), at every depth. Types, enums of literals
 * and required fields are checked on the way. No strict validator with current Kubernetes and KEDA schemas
 * is packaged for Debian, npm or Maven Central (kubeconform and its schema mirrors are not), hence this.
 */
const SCHEMAS: Readonly<Record<string, readonly [module: string, type: string]>> = {
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'batch/v1/Job': ['kubernetes-models/batch/v1/Job', 'IJob'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Namespace': ['kubernetes-models/v1/Namespace', 'INamespace'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'INetworkPolicy'],
  'keda.sh/v1alpha1/ScaledObject': ['@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject', 'IScaledObject'],
  'keda.sh/v1alpha1/TriggerAuthentication': [
    '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
    'ITriggerAuthentication',
  ],
};

/** `<apiVersion>/<kind>` of every kind the check has a schema for. */
export const STRICT_KINDS: readonly string[] = Object.keys(SCHEMAS);

const ROOT = path.join(__dirname, '..', '..');

export interface RenderedManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

/** `kubectl kustomize <dir>`: the objects a `kubectl apply -k` would send (kubectl bundles kustomize). */
export function renderKustomization(dir: string): RenderedManifest[] {
  const yaml = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });

  return parseAllDocuments(yaml).map((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(`kubectl kustomize ${dir}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }

    return doc.toJSON() as RenderedManifest;
  });
}

/** One line per problem, `<Kind>/<name>: <compiler message>`; empty when every manifest is valid. */
export function strictManifestProblems(manifests: readonly RenderedManifest[]): string[] {
  const kinds = Object.keys(SCHEMAS);
  const problems: string[] = [];
  const lines = kinds.map((kind, index) => {
    const [module, type] = SCHEMAS[kind] as readonly [string, string];

    return `import type { ${type} as Schema${index} } from '${module}';`;
  });
  // Each manifest starts on a line of its own, so a diagnostic's line tells which manifest it is about.
  const starts: { line: number; name: string }[] = [];
  manifests.forEach((manifest, index) => {
    const name = `${manifest.kind}/${manifest.metadata?.name}`;
    const schema = kinds.indexOf(`${manifest.apiVersion}/${manifest.kind}`);
    if (schema < 0) {
      problems.push(`${name}: no schema for apiVersion ${manifest.apiVersion}`);

      return;
    }
    starts.push({ line: lines.length, name });
    lines.push(...`export const manifest${index}: Schema${schema} = ${JSON.stringify(manifest, null, 1)};`.split('\n'));
  });
  const fileName = path.join(ROOT, 'scripts', 'ops', '__rendered-manifests__.ts');
  const text = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === fileName || fileExists(file);
  host.readFile = (file) => (file === fileName ? text : readFile(file));
  host.getSourceFile = (file, language, ...rest) =>
    file === fileName ? ts.createSourceFile(file, text, language) : getSourceFile(file, language, ...rest);
  const program = ts.createProgram([fileName], options, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== fileName || diagnostic.start === undefined) {
      problems.push(`schemas: ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const owner = [...starts].reverse().find((start) => start.line <= line);
    const field = lines[line]?.trim().split(':')[0] ?? '';
    problems.push(`${owner?.name ?? '?'} at ${field}: ${message}`);
  }

  return problems;
}
