/**
 * Regenerates the committed typed client (libs/shared/api-client) from the document the embedded gateway
 * serves at GET /openapi.json: `npm run api-client`. With `--check` it writes nothing and exits 1 when a
 * committed file is out of date; `--from <file>` takes the document from a file instead of a fresh gateway
 * (the openapi-contract e2e test passes the one its running gateway served).
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLIENT_FILES, clientFilesOf } from '@sms/api-client/generator';
import { loadConfig } from '@sms/platform';
import { buildGateway } from '../apps/gateway/src/gateway.app';

const ROOT = path.resolve(__dirname, '..');

/** The document of a throw-away embedded gateway (own data folder, any free port, quiet logs). */
export async function servedDocument(): Promise<unknown> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sms-openapi-'));
  const app = await buildGateway(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', SMPP_SIM_PORT: '0' }),
  );
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const answer = await fetch(`${await app.getUrl()}/openapi.json`);
    if (!answer.ok) {
      throw new Error(`GET /openapi.json answered ${answer.status}`);
    }

    return await answer.json();
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(check: boolean, from: string | undefined): Promise<number> {
  const document: unknown = from === undefined ? await servedDocument() : JSON.parse(readFileSync(from, 'utf8'));
  const files = await clientFilesOf(document, ROOT);
  const stale: string[] = [];
  for (const [name, file] of Object.entries(CLIENT_FILES)) {
    const target = path.join(ROOT, file);
    const wanted = files[name as keyof typeof CLIENT_FILES];
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // not generated yet
    }
    if (current !== wanted) {
      stale.push(file);
      if (!check) {
        writeFileSync(target, wanted);
      }
    }
  }
  const verb = check ? 'out of date' : 'regenerated';
  process.stdout.write(stale.length > 0 ? `${verb}: ${stale.join(', ')}\n` : 'the typed client is up to date\n');

  return check && stale.length > 0 ? 1 : 0;
}

if (require.main === module) {
  const from = process.argv.indexOf('--from');
  main(process.argv.includes('--check'), from > 0 ? process.argv[from + 1] : undefined).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`api-client: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
