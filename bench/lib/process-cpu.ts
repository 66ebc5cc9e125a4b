/**
 * CPU time of other processes, read from /proc (Linux): the DLR bench charges each component (the
 * ingest process, the consumers' process, MariaDB, the Kafka broker) its CPU per receipt, which on a
 * shared 2-core box says more than wall-clock latency alone. Zero where /proc is not readable.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** utime + stime of `pid` in milliseconds. */
export function cpuMsOf(pid: number): number {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15 (1-based).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];

    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND || 0;
  } catch {
    return 0;
  }
}

/**
 * CPU ms of every live thread of `pid`, from each thread's schedstat (run time in ns). utime + stime count in
 * 10-ms ticks, so over a 10-s idle window a service at 0.3 % of a core reads as 0.2 or 0.4 %: idle windows
 * use this instead. A thread that exits takes its time with it, which an idle process's pool threads do not.
 */
export function threadCpuMsOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
      try {
        return sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
      } catch {
        return sum; // the thread ended between the listing and the read
      }
    }, 0);
  } catch {
    return 0;
  }
}

/** Pids whose command name (/proc/<pid>/comm) is exactly `name`. */
export function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * The pids holding a socket that listens on TCP `port` (from /proc/net/tcp and each process's fds), so a
 * meter can charge the one Kafka broker under test rather than every JVM on the box.
 */
export function pidsListeningOn(port: number): number[] {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; the inode is column 10.
        if (cols[3] === '0A' && Number.parseInt(cols[1]?.split(':')[1] ?? '', 16) === port && cols[9]) {
          inodes.add(cols[9]);
        }
      }
    } catch {
      // no such table (no IPv6): nothing listens there
    }
  }

  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readdirSync(`/proc/${pid}/fd`).some((fd) => {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`);

          return target.startsWith('socket:[') && inodes.has(target.slice(8, -1));
        });
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** CPU ms used by each group of pids between two readings. */
export class CpuMeter<K extends string> {
  private readonly start: Record<K, number>;

  constructor(private readonly groups: Readonly<Record<K, readonly number[]>>) {
    this.start = this.read();
  }

  elapsed(): Record<K, number> {
    const now = this.read();

    return Object.fromEntries(Object.keys(now).map((k) => [k, now[k as K] - this.start[k as K]])) as Record<K, number>;
  }

  private read(): Record<K, number> {
    return Object.fromEntries(
      Object.entries<readonly number[]>(this.groups).map(([k, pids]) => [
        k,
        pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0),
      ]),
    ) as Record<K, number>;
  }
}
