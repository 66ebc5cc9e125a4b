import type { FastifyBaseLogger } from 'fastify';
import { parseSmppConfig, SmppSmsProvider } from '@sms/provider-smpp';
import { SimulatorState } from './simulator.state';
import { SmppSimServer } from './smpp-sim.server';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined } as unknown as FastifyBaseLogger;

const until = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** What an operator reads when the SMSC link breaks: one line per loss and per reconnect, with the peer. */
describe('SMPP bind connection logging against the simulated SMSC', () => {
  let smsc: SmppSimServer;
  let provider: SmppSmsProvider;
  let lines: { level: string; message: string }[];
  let peer: string;

  beforeEach(async () => {
    smsc = new SmppSimServer({ state: new SimulatorState(7), log: quiet, systemId: 'smppsim', password: 'simpass' });
    const port = await smsc.listen(0);
    peer = `127.0.0.1:${port}`;
    lines = [];
    provider = new SmppSmsProvider(
      parseSmppConfig({
        SMPP_HOST: '127.0.0.1',
        SMPP_PORT: String(port),
        SMPP_SYSTEM_ID: 'smppsim',
        SMPP_PASSWORD: 'simpass',
        SMPP_BINDS: '1',
        SMPP_RECONNECT_BASE_MS: '50',
        SMPP_RECONNECT_MAX_MS: '200',
      }),
      { log: (level, message) => lines.push({ level, message }) },
    );
    provider.pool.start();
    await until(() => lines.some((line) => line.message.includes('bound to')));
  });

  afterEach(async () => {
    await provider.close();
    await smsc.close();
  });

  const matching = (pattern: RegExp) => lines.filter((line) => pattern.test(line.message));

  it('logs a dropped link once with the SMSC address, then the reconnect once', async () => {
    expect(matching(/bound to/)).toEqual([{ level: 'info', message: `smpp bind 0 bound to ${peer}` }]);

    smsc.dropConnections();
    await until(() => matching(/reconnected/).length > 0);
    // Let a duplicate (a second close or error event of the same socket) show up if there were one.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const losses = matching(/lost its link|cannot connect/);
    expect(losses).toHaveLength(1);
    expect(losses[0]?.level).toBe('warn');
    expect(losses[0]?.message).toMatch(new RegExp(`^smpp bind 0 lost its link to ${peer} \\(.+\\), reconnecting$`));
    expect(matching(/reconnected/)).toEqual([
      { level: 'info', message: `smpp bind 0 reconnected to ${peer} after 1 attempt(s)` },
    ]);
  });

  it('logs an SMSC that stays away once, however many attempts fail, and the bind closing once', async () => {
    await smsc.close();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const losses = matching(/lost its link|cannot connect/);
    expect(losses.map((line) => line.message)).toEqual([
      expect.stringMatching(new RegExp(`^smpp bind 0 lost its link to ${peer} \\(.+\\), reconnecting$`)),
    ]);

    await provider.close();
    expect(matching(/closing its link/)).toEqual([
      { level: 'info', message: `smpp bind 0 closing its link to ${peer}` },
    ]);
  });
});
