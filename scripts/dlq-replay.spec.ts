import { createServer, type IncomingMessage, type Server } from 'node:http';
import { parseDlqReplayArgs, runDlqReplay, UsageError } from './dlq-replay';

describe('dlq-replay command line', () => {
  it('reads the topic, the window, the limit and the dry-run flag', () => {
    expect(
      parseDlqReplayArgs([
        '--topic',
        'sms.status.v1.dlq',
        '--from',
        '2026-12-06T10:00:00Z',
        '--to',
        '2026-12-06T12:00:00+01:00',
        '--limit',
        '25',
        '--dry-run',
      ]),
    ).toEqual({
      request: {
        dlqTopic: 'sms.status.v1.dlq',
        from: new Date('2026-12-06T10:00:00Z'),
        to: new Date('2026-12-06T11:00:00Z'),
        limit: 25,
        dryRun: true,
      },
    });
  });

  it('takes the gateway URL and the API key from the arguments or SMS_API_KEY', () => {
    expect(
      parseDlqReplayArgs(['--topic', 't.dlq', '--url', 'http://localhost:3000/'], { SMS_API_KEY: 'k' }),
    ).toMatchObject({ url: 'http://localhost:3000', apiKey: 'k' });
  });

  it.each([
    [[], '--topic is required'],
    [['--topic', 'sms.status.v1'], 'not a DLQ topic'],
    [['--topic', 't.dlq', '--limit', 'ten'], '--limit must be a positive integer'],
    [['--topic', 't.dlq', '--limit', '0'], '--limit: must be a positive integer'],
    [['--topic', 't.dlq', '--from', 'yesterday'], '--from must be an ISO 8601 time'],
    [
      ['--topic', 't.dlq', '--from', '2026-12-06T10:00:00Z', '--to', '2026-12-06T09:00:00Z'],
      '--to: must be after from',
    ],
    [['--topic', 't.dlq', '--partition', '1'], "Unknown option '--partition'"],
    [['--topic', 't.dlq', '--url', 'ftp://x'], '--url must be an http(s) URL'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseDlqReplayArgs(argv)).toThrow(UsageError);
    expect(() => parseDlqReplayArgs(argv)).toThrow(message);
  });

  describe('through a gateway (embedded mode)', () => {
    let server: Server;
    let url: string;
    const seen: { path?: string; authorization?: string; body?: unknown }[] = [];
    let status = 200;

    beforeAll(async () => {
      server = createServer((request: IncomingMessage, response) => {
        let text = '';
        request.on('data', (chunk: Buffer) => (text += chunk.toString()));
        request.on('end', () => {
          seen.push({ path: request.url, authorization: request.headers.authorization, body: JSON.parse(text) });
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify(status === 200 ? { replayed: [], alreadyReplayed: 1 } : { error: { code: 'X' } }),
          );
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('posts the request to /v1/admin/dlq/replay with the key and prints the answer', async () => {
      const command = parseDlqReplayArgs(['--topic', 't.dlq', '--limit', '3', '--url', url, '--api-key', 'op-key']);
      await expect(runDlqReplay(command)).resolves.toEqual({ replayed: [], alreadyReplayed: 1 });
      expect(seen.at(-1)).toEqual({
        path: '/v1/admin/dlq/replay',
        authorization: 'Bearer op-key',
        body: { topic: 't.dlq', limit: 3 },
      });
    });

    it('fails with the gateway status when the gateway refuses, and needs a key', async () => {
      status = 403;
      await expect(
        runDlqReplay(parseDlqReplayArgs(['--topic', 't.dlq', '--url', url, '--api-key', 'k'])),
      ).rejects.toThrow('the gateway answered 403');
      await expect(runDlqReplay(parseDlqReplayArgs(['--topic', 't.dlq', '--url', url]))).rejects.toThrow(UsageError);
    });
  });
});
