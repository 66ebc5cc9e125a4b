/**
 * The host process of `bench/sim-message.bench.ts`: the simulator plugin on a Fastify app set up as the
 * stand-alone simulator's (apps/simulator/src/main.ts: no request logging), loaded from SIM_SRC (a directory
 * holding `simulator.plugin.ts`; default this checkout's) so that a base copy and the new code can be measured
 * by the same driver. Tells its parent the port, then waits to be killed.
 */
import path from 'node:path';
import type * as Simulator from '@sms/simulator';
import Fastify, { LogController } from 'fastify';

async function main(): Promise<void> {
  const source = process.env['SIM_SRC'] ?? path.join(__dirname, '../../libs/simulator/feature/src');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the plugin's source is chosen at run time
  const { simulatorPlugin } = require(path.join(source, 'simulator.plugin')) as typeof Simulator;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
  const accounts = require(path.join(source, 'simulator.accounts')) as typeof Simulator;
  const app = Fastify({
    logger: { level: 'warn' },
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(simulatorPlugin, {
    prefix: '/sim',
    publicBaseUrl: 'http://127.0.0.1',
    controlAuth: () => 'allowed',
    webhookBaseUrl: process.env['RECEIVER_BASE'] ?? 'http://127.0.0.1:1',
    ...accounts.httpApiAccounts(accounts.generateSimulatorAccounts()),
    twilio: { accountSid: process.env['SID'] ?? '', authToken: process.env['TOKEN'] ?? '' },
    seed: 7,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  // A clean exit, so that --cpu-prof writes its profile.
  process.once('SIGTERM', () => process.exit(0));
  process.once('disconnect', () => process.exit(0)); // the driver died: do not outlive it
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
}

void main();
