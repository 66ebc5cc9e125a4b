/**
 * A lean open-model HTTP/1.1 load generator over raw keep-alive sockets, for benches whose server shares
 * the 2-core box with the generator.
 *
 * Written by hand instead of using undici because the generator's own CPU is taken from the system under
 * test: undici costs ~0.15 ms of CPU per request here (headers objects, body streams, promises per
 * request), so at 3,000 requests/s it ate a quarter of the box. This one writes a pre-built request
 * buffer and counts the answer's bytes: about a write and a read syscall per request and no per-request
 * objects beyond a closure. It speaks only what the benches need: one request in flight per connection
 * (providers do not pipeline), answers framed by Content-Length (chunked answers are counted as errors).
 *
 * Open model: request i is due at t0 + i / rate whatever happened before; its latency counts from that
 * scheduled instant, so a slow server cannot hide its queue (no coordinated omission). Due requests wait
 * in a FIFO for a free connection, and that wait is part of their latency.
 */
import { connect, type Socket } from 'node:net';

export interface RawLoadPlan {
  readonly host: string;
  readonly port: number;
  /** Complete requests (request line, headers, body), sent in this order. */
  readonly requests: readonly Buffer[];
  /** The first `warmUp` requests are sent at the same rate, their results discarded. */
  readonly warmUp: number;
  readonly rate: number;
  readonly connections: number;
  /** An answer later than this after its request was written is a timeout; the connection is replaced. */
  readonly timeoutMs: number;
}

export interface RawLoadResult {
  readonly sent: number;
  readonly ok: number;
  readonly errors: Record<string, number>;
  readonly offeredRate: number;
  /** Measured requests answered 2xx per second, from the first one's scheduled time to the last answer. */
  readonly achievedRate: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Epoch ms when the last measured answer arrived. */
  readonly endedAt: number;
  /** The generator's own CPU per measured request (user + system), ms. */
  readonly generatorCpuMsPerRequest: number;
  /**
   * How late the generator itself was (ms): from a measured request's scheduled instant to the tick that
   * queued it, p99 and most. The server cannot cause this (requests waiting for a connection are queued
   * already); it is the generator waiting for a core, a share of the latencies above that is not the server's.
   */
  readonly generatorLateP99: number;
  readonly generatorLateMax: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** Builds one request's bytes: the only allocation per request happens before the clock starts. */
export function buildRequest(
  method: string,
  path: string,
  host: string,
  headers: Record<string, string>,
  body: string,
): Buffer {
  const payload = Buffer.from(body, 'utf8');
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${host}`, `content-length: ${payload.length}`];
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`${name}: ${value}`);
  }

  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

interface Conn {
  socket: Socket;
  buffer: Buffer;
  /** Index of the request in flight, or -1 when idle. */
  inFlight: number;
  timer: NodeJS.Timeout | undefined;
}

export function runRawLoad(plan: RawLoadPlan): Promise<RawLoadResult> {
  const total = plan.requests.length;
  const measured = total - plan.warmUp;
  const latencies = new Float64Array(Math.max(measured, 0));
  const lateness = new Float64Array(Math.max(measured, 0));
  const errors: Record<string, number> = {};
  const interval = 1000 / plan.rate;
  const queue: number[] = [];
  let queueHead = 0;
  let ok = 0;
  let finished = 0;
  let t0 = 0;
  let lastAnswerAt = 0;
  let lastAnswerPerf = 0;
  let cpuAtWindow: NodeJS.CpuUsage | undefined;
  let stopping = false;
  const idle: Conn[] = [];
  const conns: Conn[] = [];

  return new Promise((resolve, reject) => {
    const due = (i: number): number => t0 + i * interval;

    const settle = (i: number, error: string | null): void => {
      finished++;
      if (i >= plan.warmUp) {
        const now = performance.now();
        latencies[i - plan.warmUp] = now - due(i);
        lastAnswerAt = Date.now();
        lastAnswerPerf = now;
        if (error === null) {
          ok++;
        } else {
          errors[error] = (errors[error] ?? 0) + 1;
        }
      }
      if (finished === total) {
        done();
      }
    };

    const done = (): void => {
      stopping = true;
      for (const conn of conns) {
        clearTimeout(conn.timer);
        conn.socket.destroy();
      }
      const cpu = process.cpuUsage(cpuAtWindow);
      const sorted = latencies.slice().sort();
      const late = lateness.slice().sort();
      const quantile = (values: Float64Array, p: number): number =>
        values[Math.min(values.length - 1, Math.floor(values.length * p))] ?? Number.NaN;
      const q = (p: number): number => quantile(sorted, p);
      resolve({
        sent: measured,
        ok,
        errors,
        offeredRate: plan.rate,
        // Answered, not dispatched: requests the server is slow to take wait in this generator's queue, and
        // counting them when queued would report the offered rate however far behind the server fell.
        achievedRate: ok / ((lastAnswerPerf - due(plan.warmUp)) / 1000 || 1),
        p50: q(0.5),
        p99: q(0.99),
        max: sorted[sorted.length - 1] ?? Number.NaN,
        endedAt: lastAnswerAt,
        generatorCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(measured, 1),
        generatorLateP99: quantile(late, 0.99),
        generatorLateMax: late[late.length - 1] ?? Number.NaN,
      });
    };

    const dispatch = (): void => {
      while (queueHead < queue.length && idle.length > 0) {
        const conn = idle.pop() as Conn;
        const i = queue[queueHead++] as number;
        conn.inFlight = i;
        // From the write, like undici's headersTimeout: a queue in front of the connections shows up in
        // the latency, and does not turn into a cascade of dropped connections.
        conn.timer = setTimeout(() => fail(conn, 'timeout'), plan.timeoutMs);
        conn.socket.write(plan.requests[i] as Buffer);
      }
      if (queueHead > 4096 && queueHead * 2 > queue.length) {
        queue.splice(0, queueHead);
        queueHead = 0;
      }
    };

    /** The request in flight failed: counted, and the connection dropped (its stream state is unknown). */
    const fail = (conn: Conn, error: string): void => {
      clearTimeout(conn.timer);
      const i = conn.inFlight;
      conn.inFlight = -1;
      conn.socket.destroy();
      if (i >= 0) {
        settle(i, error);
      }
    };

    /** A closed connection (failed, or closed by the server) leaves the idle set and is replaced. */
    const replace = (conn: Conn): void => {
      const index = idle.indexOf(conn);
      if (index >= 0) {
        idle.splice(index, 1);
      }
      if (stopping) {
        return;
      }
      open().then(
        (fresh) => {
          conns[conns.indexOf(conn)] = fresh;
          idle.push(fresh);
          dispatch();
        },
        () => undefined,
      );
    };

    const onData = (conn: Conn, chunk: Buffer): void => {
      conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
      const end = conn.buffer.indexOf(CRLF2);
      if (end < 0) {
        return;
      }
      const head = conn.buffer.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!lengthMatch) {
        fail(conn, 'unframed');

        return;
      }
      const size = end + 4 + Number(lengthMatch[1]);
      if (conn.buffer.length < size) {
        return;
      }
      if (conn.buffer.length > size) {
        fail(conn, 'extra-bytes');

        return;
      }
      conn.buffer = Buffer.alloc(0);
      clearTimeout(conn.timer);
      const i = conn.inFlight;
      conn.inFlight = -1;
      idle.push(conn);
      settle(i, status >= 200 && status < 300 ? null : String(status));
      dispatch();
    };

    const open = (): Promise<Conn> =>
      new Promise((resolveConn, rejectConn) => {
        const socket = connect({ host: plan.host, port: plan.port, noDelay: true });
        const conn: Conn = { socket, buffer: Buffer.alloc(0), inFlight: -1, timer: undefined };
        socket.once('connect', () => resolveConn(conn));
        let connected = false;
        socket.once('connect', () => (connected = true));
        socket.on('error', (error: NodeJS.ErrnoException) => {
          if (!connected) {
            rejectConn(error);
          } else if (conn.inFlight >= 0) {
            fail(conn, error.code ?? 'error');
          }
        });
        socket.on('data', (chunk: Buffer) => onData(conn, chunk));
        socket.on('close', () => {
          if (conn.inFlight >= 0) {
            fail(conn, 'closed');
          }
          if (connected) {
            replace(conn);
          }
        });
      });

    // Every connection is open before the clock starts: connection set-up is not what is measured.
    Promise.all(Array.from({ length: plan.connections }, open)).then((opened) => {
      conns.push(...opened);
      idle.push(...opened);
      t0 = performance.now() + 20;
      let next = 0;
      const tick = (): void => {
        const now = performance.now();
        while (next < total && due(next) <= now) {
          if (next === plan.warmUp) {
            cpuAtWindow = process.cpuUsage();
          }
          if (next >= plan.warmUp) {
            lateness[next - plan.warmUp] = now - due(next);
          }
          queue.push(next++);
        }
        dispatch();
        if (next < total) {
          // At most one tick per millisecond: spinning on setImmediate to send each request on its exact
          // instant burnt a core the server needs. A request sent up to 1 ms late is charged for it (its
          // latency counts from the scheduled time), so this can only make the figures worse.
          setTimeout(tick, Math.max(1, due(next) - performance.now()));
        }
      };
      tick();
    }, reject);
  });
}
