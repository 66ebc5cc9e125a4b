import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InProcessBus } from '@sms/bus';
import { PEER_ORIGIN_HEADER, TOPICS } from '@sms/contracts';
import { GLOBAL_TOPICS } from '@sms/platform';
import { PeerCaptureBus } from './peer-capture.bus';
import { PeerOutbox } from './peer-outbox';
import { PeerRelay, PEER_RECORDS_PATH } from './peer-relay';

const optOut = (number: string, source = 'keyword') => ({
  topic: TOPICS.optout,
  key: `${number}|*`,
  value: { number, sender: null, optedOut: true, source, occurredAt: '2026-12-07T10:00:00.000Z' },
});

describe('region peers (embedded mode)', () => {
  let dir: string;
  let outbox: PeerOutbox;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sms-peers-'));
    outbox = new PeerOutbox(dir);
  });

  afterEach(() => {
    outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queues global records for every peer before publishing, but not peers’ records, replays or regional topics', async () => {
    const inner = new InProcessBus();
    let woken = 0;
    const bus = new PeerCaptureBus(inner, outbox, GLOBAL_TOPICS, ['us', 'ap'], () => woken++);
    await bus.publish([
      optOut('+12025550100'),
      optOut('+12025550101', 'replay'),
      { ...optOut('+12025550102'), headers: { [PEER_ORIGIN_HEADER]: 'us' } },
      { topic: TOPICS.privacy, key: 'e1', value: { erasureId: 'e1' } },
      { topic: TOPICS.send, key: 'm1', value: { to: '+12025550103' } },
    ]);
    await inner.close();
    for (const peer of ['us', 'ap']) {
      expect(outbox.pending(peer, 10).map((r) => [r.topic, JSON.parse(r.value) as unknown])).toEqual([
        [TOPICS.optout, optOut('+12025550100').value],
        [TOPICS.privacy, { erasureId: 'e1' }],
      ]);
    }
    expect(woken).toBe(1);
    // Durable: a new process reading the same file sees the same queue.
    const reopened = new PeerOutbox(dir);
    expect(reopened.size('us')).toBe(2);
    reopened.close();
  });

  it('delivers in order with the token, keeps records while the peer is down, and drops them once taken', async () => {
    const received: { auth: string | undefined; body: { from: string; records: { topic: string }[] } }[] = [];
    let status = 503;
    const server: Server = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        if (request.url === PEER_RECORDS_PATH && status === 204) {
          received.push({ auth: request.headers.authorization, body: JSON.parse(text) as never });
        }
        response.statusCode = status;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const relay = new PeerRelay(outbox, 'eu', [{ name: 'us', url }], 't'.repeat(32));
    outbox.add(['us'], [optOut('+12025550100'), { topic: TOPICS.privacy, value: { erasureId: 'e1' } }]);
    relay.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 700));
      // The peer answered 503: nothing dropped.
      expect(outbox.size('us')).toBe(2);
      status = 204;
      relay.wake();
      const deadline = Date.now() + 10_000;
      while (outbox.size('us') > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(outbox.size('us')).toBe(0);
      expect(received).toHaveLength(1);
      expect(received[0]?.auth).toBe(`Bearer ${'t'.repeat(32)}`);
      expect(received[0]?.body.from).toBe('eu');
      expect(received[0]?.body.records.map((r) => r.topic)).toEqual([TOPICS.optout, TOPICS.privacy]);
    } finally {
      await relay.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
