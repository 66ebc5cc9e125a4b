import { type CpuProfile, packageOf, summariseProfile } from './cpuprofile-summary';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('packageOf', () => {
  it('names npm packages, scoped ones whole, node, V8 and project code', () => {
    expect(packageOf(frame('query', '/repo/node_modules/typeorm/query-runner.js'))).toBe('typeorm');
    expect(packageOf(frame('x', 'file:///repo/node_modules/@nestjs/core/router.js'))).toBe('@nestjs/core');
    expect(packageOf(frame('write', 'node:net'))).toBe('node');
    expect(packageOf(frame('(garbage collector)'))).toBe('(garbage collector)');
    expect(packageOf(frame('run'))).toBe('native');
    expect(packageOf(frame('apply', 'file:///repo/libs/intake/feature/src/a.ts'))).toBe('libs/intake');
  });
});

describe('summariseProfile', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('query', '/r/node_modules/typeorm/q.js', 9) },
      { id: 4, callFrame: frame('(garbage collector)') },
    ],
    // Each sample is charged the delta to the next one; the last sample has none.
    samples: [3, 3, 2, 4, 3],
    timeDeltas: [0, 1000, 3000, 5000, 1000],
  };

  it('charges self time per function and package, idle left out, heaviest first', () => {
    const summary = summariseProfile(profile);
    expect(summary.totalMs).toBe(5);
    expect(summary.packages).toEqual([
      { name: 'typeorm', ms: 4, share: 0.8 },
      { name: '(garbage collector)', ms: 1, share: 0.2 },
    ]);
    expect(summary.functions[0]).toEqual({ name: 'query node_modules/typeorm/q.js:10', ms: 4, share: 0.8 });
  });

  it('keeps the top entries only', () => {
    expect(summariseProfile(profile, 1).packages).toHaveLength(1);
  });

  it('leaves out what runs under module loading when asked for the steady state', () => {
    const loading: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 4] },
        { id: 2, callFrame: frame('Module._load', 'node:internal/modules/cjs/loader'), children: [3] },
        { id: 3, callFrame: frame('wrapSafe', 'node:internal/modules/cjs/loader') },
        { id: 4, callFrame: frame('query', '/r/node_modules/typeorm/q.js', 9) },
      ],
      samples: [3, 3, 4, 4],
      timeDeltas: [0, 2000, 3000, 1000],
    };
    expect(summariseProfile(loading).totalMs).toBe(6);
    const steady = summariseProfile(loading, 25, true);
    expect(steady.totalMs).toBe(1);
    expect(steady.packages).toEqual([{ name: 'typeorm', ms: 1, share: 1 }]);
  });
});
