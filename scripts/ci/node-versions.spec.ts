import { readFileSync } from 'node:fs';
import path from 'node:path';
import { declaredRange, otherMajors, supportedMajors } from './node-versions';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const majorOf = (version: string): number => Number(/(\d+)\./.exec(version)?.[1]);

describe('supportedMajors', () => {
  it('reads one major per caret range, ascending', () => {
    expect(supportedMajors('^24.0.0 || ^20.19.0 || ^22.13.0')).toEqual([20, 22, 24]);
    expect(supportedMajors('^22.13.0')).toEqual([22]);
  });

  it.each(['>=20.19', '20.x', '^20.19', '^20.19.0 || >=22', '', '^20.19.0 ||'])('refuses %p', (range) => {
    expect(() => supportedMajors(range)).toThrow(/not a caret range/);
  });

  it('refuses a major named twice', () => {
    expect(() => supportedMajors('^20.19.0 || ^20.20.0')).toThrow(/names a major twice/);
  });
});

describe('otherMajors', () => {
  it('leaves out the running major, or none when it is not supported', () => {
    expect(otherMajors([20, 22, 24], 20)).toEqual([22, 24]);
    expect(otherMajors([20, 22, 24], 24)).toEqual([20, 22]);
    expect(otherMajors([22, 24], 26)).toEqual([22, 24]);
  });
});

/** The declarations that must move together when a major is added or dropped (docs/adr/0017-node-lts-lines.md). */
describe('the checkout declares one set of Node versions', () => {
  const majors = supportedMajors(declaredRange(ROOT));
  const lock = JSON.parse(read('package-lock.json')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } }>;
  };
  const manifest = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> };

  it('supports more than one major, so the smoke has something to prove', () => {
    expect(majors.length).toBeGreaterThan(1);
  });

  it('has package-lock.json record the same engines as package.json', () => {
    expect(lock.packages['']?.engines?.node).toBe(declaredRange(ROOT));
  });

  it('types the code with the lowest supported major, so nothing newer is used by mistake', () => {
    expect(majorOf(manifest.devDependencies['@types/node'] ?? '')).toBe(majors[0]);
    expect(majorOf(lock.packages['node_modules/@types/node']?.version ?? '')).toBe(majors[0]);
  });

  it('recommends the newest supported major in .nvmrc and .node-version alike', () => {
    const nvmrc = read('.nvmrc').trim();
    expect(read('.node-version').trim()).toBe(nvmrc);
    expect(Number(nvmrc)).toBe(majors.at(-1));
  });
});
