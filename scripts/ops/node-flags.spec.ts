import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { SERVICE_NODE_FLAGS } from '../node-flags';

const ROOT = path.join(__dirname, '..', '..');
const SERVICES = ['intake', 'router', 'send-worker', 'dlr-ingest', 'dlr-processor', 'masking', 'opt-out'];

/** The node flags of a start command: what comes between `node` and the script (`-r` preloads left out). */
function flagsOf(command: readonly string[], script: RegExp): string[] {
  const end = command.findIndex((arg) => script.test(arg));
  expect(command[0]).toBe('node');
  expect(end).toBeGreaterThan(0);
  const flags: string[] = [];
  for (let i = 1; i < end; i++) {
    if (command[i] === '-r') {
      i++;
    } else {
      flags.push(command[i] as string);
    }
  }

  return flags;
}

interface Container {
  readonly name: string;
  readonly command?: string[];
}

describe("the services' node flags (scripts/node-flags.ts)", () => {
  it('are in npm start', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };

    expect(flagsOf(pkg.scripts['start']?.split(' ') ?? [], /apps\/gateway\/src\/main\.ts$/)).toEqual(
      expect.arrayContaining([...SERVICE_NODE_FLAGS]),
    );
  });

  it("are in every service's nx serve target", () => {
    for (const name of [...SERVICES, 'gateway']) {
      const project = JSON.parse(readFileSync(path.join(ROOT, 'apps', name, 'project.json'), 'utf8')) as {
        targets: Record<string, { options?: { command?: string } }>;
      };
      const command = project.targets['serve']?.options?.command ?? '';

      expect({ name, flags: flagsOf(command.split(' '), /^apps\/.*\/main\.ts$/) }).toEqual({
        name,
        flags: expect.arrayContaining([...SERVICE_NODE_FLAGS]),
      });
    }
  });

  it("are in every service's compose command", () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { command?: string[] }>;
    };
    for (const name of [...SERVICES, 'intake-consumers']) {
      const command = compose.services[name]?.command ?? [];

      expect({ name, flags: flagsOf(command, /^dist\/apps\/.*\/main\.js$/) }).toEqual({
        name,
        flags: expect.arrayContaining([...SERVICE_NODE_FLAGS]),
      });
    }
  });

  it("are in every service's Kubernetes container", () => {
    for (const name of SERVICES) {
      const docs = parseAllDocuments(readFileSync(path.join(ROOT, 'k8s/base/services', `${name}.yaml`), 'utf8'));
      const deployment = docs
        .map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } })
        .find((d) => d?.kind === 'Deployment');
      const container = deployment?.spec?.template?.spec?.containers?.find((c) => c.name === name);

      expect({ name, flags: flagsOf(container?.command ?? [], /^dist\/apps\/.*\/main\.js$/) }).toEqual({
        name,
        flags: expect.arrayContaining([...SERVICE_NODE_FLAGS]),
      });
    }
    expect(readdirSync(path.join(ROOT, 'k8s/base/services')).filter((f) => f.endsWith('.yaml'))).toHaveLength(
      SERVICES.length,
    );
  });
});
