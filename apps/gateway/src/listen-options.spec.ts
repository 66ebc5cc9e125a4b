import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { gatewayListenOptions, LISTEN_BACKLOG } from './listen-options';

/** Node's listen backlog when none is given. */
const NODE_DEFAULT_BACKLOG = 511;
const BURST = 1_000;
/** The loop stays busy this long after the connects start, as it does while the gateway commits a batch. */
const BUSY_MS = 200;
/** A dropped handshake is retried after 1 s at the earliest: a connect later than this waited for one. */
const RETRANSMIT_MS = 1_000;

const SOMAXCONN_FILE = '/proc/sys/net/core/somaxconn';
/** The kernel's cap on any backlog (Linux); 0 where it cannot be read. */
const somaxconn = existsSync(SOMAXCONN_FILE) ? Number(readFileSync(SOMAXCONN_FILE, 'utf8')) : 0;

/** ms from the first connect to each client's connect callback, BURST clients, the server's loop busy at first. */
async function connectTimes(backlog: number | undefined): Promise<number[]> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog }, resolve));
  const { port } = server.address() as net.AddressInfo;
  const clients: net.Socket[] = [];
  const started = performance.now();
  try {
    const times = Array.from(
      { length: BURST },
      () =>
        new Promise<number>((resolve, reject) => {
          const client = net.connect({ port, host: '127.0.0.1' }, () => resolve(performance.now() - started));
          client.on('error', reject);
          clients.push(client);
        }),
    );
    const busyUntil = performance.now() + BUSY_MS;
    while (performance.now() < busyUntil) {
      // The kernel completes the handshakes meanwhile; only those it queued are answered at once.
    }

    return await Promise.all(times);
  } finally {
    clients.forEach((client) => client.destroy());
    accepted.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('gateway listen options', () => {
  it('listens on the configured address with a backlog far above Node default', () => {
    expect(gatewayListenOptions({ port: 3000, host: '0.0.0.0' })).toEqual({
      port: 3000,
      host: '0.0.0.0',
      backlog: LISTEN_BACKLOG,
    });
    expect(LISTEN_BACKLOG).toBeGreaterThanOrEqual(4 * NODE_DEFAULT_BACKLOG);
  });

  // The kernel caps the backlog at net.core.somaxconn (4,096 on current Linux, 128 before 5.4): below the
  // burst, or off Linux where it cannot be read, the behaviour cannot be shown, so the case is skipped there.
  (somaxconn >= BURST ? it : it.skip)(
    `queues a burst of ${BURST} connects while the loop is busy, where Node default drops some`,
    async () => {
      const ours = await connectTimes(LISTEN_BACKLOG);
      expect(Math.max(...ours)).toBeLessThan(RETRANSMIT_MS);

      const nodeDefault = await connectTimes(undefined);
      expect(nodeDefault.filter((ms) => ms >= RETRANSMIT_MS).length).toBeGreaterThan(0);
    },
  );
});
