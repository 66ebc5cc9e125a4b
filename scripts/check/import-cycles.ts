/**
 * Fails when files import each other in a circle, type-only imports included (`npm run lint`).
 * Nx's module-boundaries rule refuses cycles between projects; this one looks inside them, where a cycle
 * means two modules are one job split badly. eslint-plugin-import's no-cycle skips `import type`, and
 * the type-only cycles are the ones that creep in, so imports are read with the compiler's own
 * pre-processor and resolved with the repository's tsconfig paths.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_DIRS = ['apps', 'libs', 'scripts', 'bench', 'test'];

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (config.error) {
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  }

  return ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
}

function sourceFiles(): string[] {
  return SOURCE_DIRS.flatMap((dir) =>
    ts.sys.readDirectory(path.join(ROOT, dir), ['.ts', '.tsx'], ['**/node_modules/**', '**/dist/**'], undefined),
  );
}

/** Each file's imports of other files of the tree (packages left out). */
export function importGraph(files: readonly string[], options: ts.CompilerOptions): Map<string, string[]> {
  const inTree = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = ts.sys.readFile(file) ?? '';
    const targets = new Set<string>();
    for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
      const resolved = ts.resolveModuleName(imported.fileName, file, options, ts.sys).resolvedModule;
      if (resolved && !resolved.isExternalLibraryImport && inTree.has(resolved.resolvedFileName)) {
        targets.add(resolved.resolvedFileName);
      }
    }
    graph.set(file, [...targets]);
  }

  return graph;
}

/** The strongly connected components of more than one file (or a file importing itself): Tarjan's algorithm. */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
        cycles.push(component.sort());
      }
    }
  };
  for (const file of graph.keys()) {
    if (!index.has(file)) {
      visit(file);
    }
  }

  return cycles;
}

if (require.main === module) {
  const cycles = cyclesOf(importGraph(sourceFiles(), compilerOptions()));
  if (cycles.length === 0) {
    process.stdout.write('import cycles: none\n');
  } else {
    for (const cycle of cycles) {
      process.stderr.write(`import cycle:\n${cycle.map((f) => `  ${path.relative(ROOT, f)}`).join('\n')}\n`);
    }
    process.stderr.write(`${cycles.length} import cycle(s): break each by moving what both files need into a third\n`);
    process.exit(1);
  }
}
