/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof, or the e2e bench's --cpu-prof=<dir>) by self time: the
 * functions and the packages where the process itself spent its CPU, heaviest first.
 *
 *   node -r ./scripts/register.js bench/lib/cpuprofile-summary.ts <file.cpuprofile> [--top=25] [--steady]
 *
 * --steady leaves out samples taken while modules load (start-up): the bench profiles a service's whole life,
 * and at the rates a shared box reaches its start-up is a large share of the profile.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: CallFrame; readonly children?: number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly functions: SelfTime[];
  readonly packages: SelfTime[];
}

/** Where a frame's code comes from: an npm package, node's own code, V8 (GC, idle, program) or the project. */
export function packageOf(frame: CallFrame): string {
  const url = frame.url;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');

    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) {
    return 'node';
  }
  if (url === '') {
    // (garbage collector), (idle), (program), native functions
    return frame.functionName.startsWith('(') ? frame.functionName : 'native';
  }
  const project = /\/(apps|libs|bench|scripts)\/([^/]+)/.exec(url);

  return project ? `${project[1]}/${project[2]}` : 'other';
}

function ranked(totals: Map<string, number>, totalUs: number, top: number): SelfTime[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
}

/** Frames whose callees are module loading: CommonJS loading and node's own built-in modules. */
const LOADING_FRAMES = new Set(['Module._load', 'compileForInternalLoader']);

/** The nodes that run under a module-loading frame (that frame included). */
export function loadingNodes(profile: CpuProfile): Set<number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const loading = new Set<number>();
  const mark = (id: number): void => {
    loading.add(id);
    for (const child of byId.get(id)?.children ?? []) {
      mark(child);
    }
  };
  for (const node of profile.nodes) {
    if (LOADING_FRAMES.has(node.callFrame.functionName) && !loading.has(node.id)) {
      mark(node.id);
    }
  }

  return loading;
}

/**
 * Self time per function and per package, each sample charged the time until the next one; `steady` leaves
 * out the samples taken while modules load.
 */
export function summariseProfile(profile: CpuProfile, top = 25, steady = false): ProfileSummary {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const skipped = steady ? loadingNodes(profile) : new Set<number>();
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = frames.get(profile.samples[i] as number);
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (!frame || frame.functionName === '(idle)' || skipped.has(profile.samples[i] as number)) {
      continue;
    }
    totalUs += us;
    const where = frame.url
      ? `${frame.url.replace(/^.*\/(node_modules|apps|libs|bench)\//, '$1/')}:${frame.lineNumber + 1}`
      : '';
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }

  return {
    totalMs: totalUs / 1000,
    functions: ranked(byFunction, totalUs, top),
    packages: ranked(byPackage, totalUs, top),
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const line = (s: SelfTime): string =>
    `  ${(s.share * 100).toFixed(1).padStart(5)} %  ${s.ms.toFixed(0).padStart(7)} ms  ${s.name}`;

  return [
    `busy ${summary.totalMs.toFixed(0)} ms (idle left out)`,
    'self time by package:',
    ...summary.packages.map(line),
    'self time by function:',
    ...summary.functions.map(line),
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: cpuprofile-summary.ts <file.cpuprofile> [--top=25] [--steady]\n');
    process.exit(2);
  }
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  const steady = process.argv.includes('--steady');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSummary(summariseProfile(profile, top, steady))}\n`);
}
