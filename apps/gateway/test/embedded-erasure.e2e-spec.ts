import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ApiKeyService, ApiScope } from '@sms/auth';
import { GatewayClient } from '@sms/testing';
import Database from 'better-sqlite3';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';
import { describeErasureScenario, type StoredHit } from '@sms/testing-scenarios';

jest.setTimeout(120_000);

/** Every string column of every table of every SQLite file in the data folder that holds a needle. */
function scanSqlite(dataDir: string, needles: readonly string[]): StoredHit[] {
  const hits: StoredHit[] = [];
  for (const file of readdirSync(dataDir).filter((name) => name.endsWith('.sqlite'))) {
    const db = new Database(path.join(dataDir, file), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
          for (const [column, value] of Object.entries(row)) {
            for (const needle of needles) {
              if (typeof value === 'string' && value.includes(needle)) {
                hits.push({ store: file, table: name, column, needle });
              }
            }
          }
        }
      }
    } finally {
      db.close();
    }
  }

  return hits;
}

describe('embedded gateway: erasure of a person (issue #22 part 3)', () => {
  let gateway: EmbeddedGateway;
  let admin: GatewayClient;
  let nonAdmin: GatewayClient;
  const env = { CALLBACK_ALLOW_INSECURE: 'true' };

  beforeAll(async () => {
    gateway = await startEmbeddedGateway(env);
    admin = new GatewayClient(gateway.url, gateway.auth);
    const { key } = await gateway.app.get(ApiKeyService).create('erasure send-read', [ApiScope.Send, ApiScope.Read]);
    nonAdmin = new GatewayClient(gateway.url, { authorization: `Bearer ${key}` });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  describeErasureScenario(() => ({
    admin,
    nonAdmin,
    masking: admin,
    sim: admin,
    webhookBase: gateway.url,
    scan: async (needles) => scanSqlite(gateway.dataDir, needles),
    restart: async () => {
      const dataDir = gateway.dataDir;
      await gateway.close({ keepData: true });
      gateway = await startEmbeddedGateway(env, dataDir);
      admin = new GatewayClient(gateway.url, gateway.auth);
    },
  }));
});
