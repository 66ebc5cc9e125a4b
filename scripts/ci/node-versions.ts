/**
 * The Node majors the project supports, read from package.json's `engines.node`, the one place they are
 * declared (docs/adr/0017-node-lts-lines.md). The range is one caret range per major, e.g.
 * `^20.19.0 || ^22.13.0 || ^24.0.0`, so that each supported major is explicit and the CI smoke
 * (scripts/ci/node-smoke.sh) follows the declaration without a list of its own:
 *
 *   node -r ./scripts/register.js scripts/ci/node-versions.ts --others
 *
 * prints the supported majors other than the running Node's, space-separated: the ones the smoke runs on,
 * while the whole suite runs on the Node that runs CI.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const CARET = /^\^(\d+)\.(\d+)\.(\d+)$/;

/** The majors of an `engines.node` range, ascending; throws when the range is not one caret range per major. */
export function supportedMajors(range: string): number[] {
  const majors = range.split('||').map((part) => {
    const match = CARET.exec(part.trim());
    if (!match) {
      throw new Error(`engines.node: "${part.trim()}" is not a caret range (^major.minor.patch), one per major`);
    }

    return Number(match[1]);
  });
  if (new Set(majors).size !== majors.length) {
    throw new Error(`engines.node: "${range}" names a major twice`);
  }

  return majors.sort((a, b) => a - b);
}

/** The range declared in the checkout's package.json. */
export function declaredRange(root = path.join(__dirname, '..', '..')): string {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    engines?: { node?: string };
  };
  const range = manifest.engines?.node;
  if (!range) {
    throw new Error('package.json declares no engines.node');
  }

  return range;
}

/** The supported majors but the running one: all of them when the running Node is not a supported major. */
export function otherMajors(majors: readonly number[], running: number): number[] {
  return majors.filter((major) => major !== running);
}

if (require.main === module) {
  const majors = supportedMajors(declaredRange());
  const running = Number(process.versions.node.split('.')[0]);
  if (process.argv.includes('--others')) {
    if (!majors.includes(running)) {
      process.stderr.write(`node-versions: the running Node ${process.version} is not a supported major\n`);
    }
    process.stdout.write(`${otherMajors(majors, running).join(' ')}\n`);
  } else {
    process.stdout.write(`${majors.join(' ')}\n`);
  }
}
