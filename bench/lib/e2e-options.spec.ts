import path from 'node:path';
import { e2eOptionsFromArgv } from './e2e-options';

const log = (): void => undefined;

describe('e2eOptionsFromArgv', () => {
  it('runs both modes and Kannel, three runs, by default', () => {
    const options = e2eOptionsFromArgv(['--only=e2e'], log);
    expect(options).toMatchObject({ modes: ['embedded', 'distributed'], kannel: true, runs: 3, simLatencyMs: 0 });
  });

  it('takes the mode, runs, duration, simulator latency and Kannel switch from the command line', () => {
    const options = e2eOptionsFromArgv(
      ['--mode=distributed', '--runs=5', '--duration=12', '--sim-latency=200', '--kannel=false'],
      log,
    );
    expect(options).toMatchObject({ modes: ['distributed'], runs: 5, durationS: 12, simLatencyMs: 200, kannel: false });
  });

  it('sizes each measured burst from the rate unless a fixed --burst is given', () => {
    expect(e2eOptionsFromArgv([], log).burstCount).toBeUndefined();
    expect(e2eOptionsFromArgv(['--burst=3000'], log).burstCount).toBe(3000);
    expect(() => e2eOptionsFromArgv(['--burst=0'], log)).toThrow(/--burst/);
  });

  it('waits 30 s after the warm-up before the idle window unless told otherwise, 0 allowed', () => {
    expect(e2eOptionsFromArgv([], log)).toMatchObject({ idleS: 10, idleSettleS: 30 });
    expect(e2eOptionsFromArgv(['--idle-settle=0'], log).idleSettleS).toBe(0);
    expect(() => e2eOptionsFromArgv(['--idle-settle=-1'], log)).toThrow(/--idle-settle/);
  });

  it('resolves the CPU profile directory, off unless asked for', () => {
    expect(e2eOptionsFromArgv([], log).cpuProfDir).toBeUndefined();
    expect(e2eOptionsFromArgv(['--cpu-prof=tmp/prof'], log).cpuProfDir).toBe(path.resolve('tmp/prof'));
  });

  it("takes our processes' node flags comma-separated, the start scripts' flags unless asked for", () => {
    expect(e2eOptionsFromArgv([], log).nodeFlags).toBeUndefined();
    expect(e2eOptionsFromArgv(['--node-flags='], log).nodeFlags).toEqual([]);
    expect(
      e2eOptionsFromArgv(['--node-flags=--max-semi-space-size=32,--max-old-space-size=160'], log).nodeFlags,
    ).toEqual(['--max-semi-space-size=32', '--max-old-space-size=160']);
    expect(() => e2eOptionsFromArgv(['--node-flags=max-semi-space-size=32'], log)).toThrow(/--node-flags/);
  });

  it("runs the embedded target's simulator inline unless told to give it a process of its own", () => {
    expect(e2eOptionsFromArgv([], log).embeddedSimulator).toBe('inline');
    expect(e2eOptionsFromArgv(['--embedded-simulator=process'], log).embeddedSimulator).toBe('process');
    expect(() => e2eOptionsFromArgv(['--embedded-simulator=remote'], log)).toThrow(/--embedded-simulator/);
  });

  it('refuses an unknown mode and a number that is not one', () => {
    expect(() => e2eOptionsFromArgv(['--mode=cluster'], log)).toThrow(/--mode/);
    expect(() => e2eOptionsFromArgv(['--runs=0'], log)).toThrow(/--runs/);
    expect(() => e2eOptionsFromArgv(['--duration=fast'], log)).toThrow(/--duration/);
  });
});
