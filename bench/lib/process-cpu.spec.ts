import { cpuMsOf, threadCpuMsOf } from './process-cpu';

describe('threadCpuMsOf', () => {
  it("reads this process's CPU finer than the 10-ms ticks of utime + stime", () => {
    const before = threadCpuMsOf(process.pid);
    const ticksBefore = cpuMsOf(process.pid);
    const cpuAtStart = process.cpuUsage();
    while (process.cpuUsage(cpuAtStart).user < 30_000) {
      // spin until this thread has had 30 ms of CPU (a loaded box gives it less per ms of wall time)
    }
    const spent = threadCpuMsOf(process.pid) - before;
    expect(spent).toBeGreaterThanOrEqual(25);
    expect(spent % 10).not.toBe(0);
    expect(cpuMsOf(process.pid) - ticksBefore).toBeGreaterThanOrEqual(20);
  });

  it('is 0 for a process that does not exist', () => {
    expect(threadCpuMsOf(2 ** 22 + 1)).toBe(0);
  });
});
