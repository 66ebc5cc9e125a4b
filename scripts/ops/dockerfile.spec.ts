import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_NODE_FLAGS } from '../node-flags';

const ROOT = path.join(__dirname, '..', '..');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: { readonly op: string; readonly args: string }[];
}

/** The Dockerfile's stages, each with its instructions (comments and continuation lines folded). */
function stages(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const result: Stage[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const argsText = rest.join(' ');
    if (op === 'FROM') {
      const [image = '', , name] = rest;
      result.push({
        from: image.replace(/^\$\{(\w+)\}$/, (_m, key: string) => args[key] ?? ''),
        name,
        instructions: [],
      });
    } else if (op === 'ARG' && result.length === 0) {
      const [key = '', value = ''] = argsText.split('=');
      args[key] = value;
    } else {
      result.at(-1)?.instructions.push({ op, args: argsText });
    }
  }

  return { args, stages: result };
}

const parsed = stages(dockerfile);
const runtime = parsed.stages.at(-1) as Stage;
const build = parsed.stages.find((stage) => stage.name === 'build') as Stage;
const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

/** Every `dist/...` path the deployments start, as written in their files. */
function distPathsIn(file: string): string[] {
  return [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/\bdist\/[\w./-]+\.(js|json)\b/g)].map((m) => m[0]);
}
function yamlFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

describe('Dockerfile', () => {
  it('builds in a stage of its own and runs on Node 24 LTS (slim)', () => {
    expect(parsed.stages.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    expect(runtime.from).toMatch(/^node:24-bookworm-slim$/);
    expect(build.from).toBe(runtime.from);
  });

  it('compiles in the build stage and keeps only production dependencies', () => {
    const runs = ops(build, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build:services/);
    expect(runs).toMatch(/npm prune --omit=dev/);
    // The runtime stage installs nothing and copies no sources: only the build's output and its pruned modules.
    expect(ops(runtime, 'RUN').join('\n')).not.toMatch(/npm (ci|install)/);
    expect(ops(runtime, 'COPY')).toEqual([
      '--from=build /app/package.json /app/package-lock.json ./',
      '--from=build /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
    ]);
  });

  it('runs compiled JavaScript as a non-root user, with a health check', () => {
    expect(ops(runtime, 'USER')).toEqual(['node']);
    const cmd = JSON.parse(ops(runtime, 'CMD')[0] ?? '[]') as string[];
    expect(cmd).toEqual(['node', ...SERVICE_NODE_FLAGS, 'dist/apps/gateway/src/main.js']);
    expect(ops(runtime, 'HEALTHCHECK')[0]).toMatch(/CMD \["node", "dist\/scripts\/healthcheck\.js"\]$/);
    expect(dockerfile).not.toMatch(/register\.js|\.ts"/);
  });

  it('every compiled path compose and the manifests start is built from a source the build compiles', () => {
    const referenced = [
      ...distPathsIn('Dockerfile'),
      ...distPathsIn('docker-compose.yml'),
      ...yamlFiles('k8s').flatMap(distPathsIn),
    ];
    expect(referenced.length).toBeGreaterThan(15);
    for (const compiled of new Set(referenced)) {
      const source = compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      // build-services.js compiles apps/*/src, libs/*/*/src and scripts/*.ts, and copies k8s/base/topics.json.
      const built = /^(apps\/[^/]+\/src|libs\/[^/]+\/[^/]+\/src)\//.test(source) || /^scripts\/[^/]+\.ts$/.test(source);
      const asset = source === 'k8s/base/topics.json';
      expect({ compiled, exists: existsSync(path.join(ROOT, source)) && (built || asset) }).toEqual({
        compiled,
        exists: true,
      });
    }
  });
});
