import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiKeyEntity, ApiKeyService, ALL_SCOPES } from '@sms/auth';
import type { Repository } from 'typeorm';
import { loadConfig } from '@sms/platform';
import { buildGateway } from '../src/gateway.app';
import { gatewayListenOptions } from '../src/listen-options';

export const TEST_API_KEY = 'smsgw_test_key_for_the_embedded_suite_000';

/**
 * A key with every scope for another account, until the accounts API exists: created through the key
 * store, then moved to `accountId` in the auth slice's own table.
 */
export async function keyForAccount(gateway: EmbeddedGateway, accountId: string): Promise<Record<string, string>> {
  const keys = gateway.app.get(ApiKeyService);
  const { key, view } = await keys.create(`account ${accountId}`, ALL_SCOPES);
  const { repository } = keys as unknown as { repository: Repository<ApiKeyEntity> };
  await repository.update({ id: view.id }, { accountId });

  return { authorization: `Bearer ${key}` };
}

export interface EmbeddedGateway {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly dataDir: string;
  readonly auth: Record<string, string>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The embedded gateway in this process, on a free port with its own data folder. */
export async function startEmbeddedGateway(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<EmbeddedGateway> {
  const port = await freePort();
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'sms-gw-'));
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'error',
    RETRY_BASE_DELAY_MS: '50',
    MAX_SEND_ATTEMPTS: '3',
    // The simulated SMSC listens on its own TCP port: any free one, so suites can run side by side.
    SMPP_SIM_PORT: '0',
    ...env,
  });
  const app = await buildGateway(config);
  // As main.ts listens: the suites' bursts of provider calls queue on the same backlog as `npm start`'s.
  await app.listen(gatewayListenOptions({ port, host: '127.0.0.1' }));
  await app.get(ApiKeyService).ensure('test', TEST_API_KEY, ALL_SCOPES);

  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dataDir: dir,
    auth: { authorization: `Bearer ${TEST_API_KEY}` },
    close: async (options) => {
      await app.close();
      if (!options?.keepData) {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
