import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Census, formatCensus, messagesOf } from './sql-census-summary';

const preload = path.join(__dirname, 'sql-census.preload.js');

/** Runs `script` in a node process with the census preloaded, and returns what it wrote. */
function censusOf(script: string): Census {
  const directory = mkdtempSync(path.join(tmpdir(), 'sql-census-'));
  try {
    const child = execFileSync(process.execPath, ['-r', preload, '-e', script], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, SQL_CENSUS_DIR: directory },
      encoding: 'utf8',
    });

    return JSON.parse(readFileSync(path.join(directory, `${child.trim()}.json`), 'utf8')) as Census;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('sql census', () => {
  it('counts statements by text and transactions by their first statement, autocommits apart', () => {
    const census = censusOf(`
      const Database = require('better-sqlite3');
      const db = new Database(':memory:');
      db.exec('CREATE TABLE sms_messages (id text PRIMARY KEY, status text)');
      const insert = db.prepare('INSERT INTO sms_messages (id, status) VALUES (?, ?)');
      const update = db.prepare('UPDATE sms_messages SET status = ? WHERE id = ?');
      const begin = db.prepare('BEGIN');
      const commit = db.prepare('COMMIT');
      for (let i = 0; i < 3; i++) {
        begin.run();
        insert.run('m' + i, 'queued');
        insert.run('n' + i, 'queued');
        commit.run();
      }
      update.run('sent', 'm0');
      update.run('sent', 'nope');
      try { insert.run('m0', 'queued'); } catch {}
      process.stdout.write(String(process.pid));
    `);

    const insert = census.statements.find((s) => s.sql.startsWith('INSERT'));
    const update = census.statements.find((s) => s.sql.startsWith('UPDATE'));
    expect(insert).toMatchObject({ calls: 7, failures: 1, changes: 6 });
    expect(update).toMatchObject({ calls: 2, changes: 1, unchanged: 1 });
    expect(messagesOf(census)).toBe(6);
    const transactions = Object.fromEntries(census.transactions.map((t) => [t.key, t]));
    expect(transactions[':memory: transaction: INSERT INTO sms_messages (id, status) VALUES (?, ?)']).toMatchObject({
      count: 3,
      statements: 6,
    });
    expect(transactions[':memory: autocommit: UPDATE sms_messages SET status = ? WHERE id = ?']).toMatchObject({
      count: 2,
    });
    expect(formatCensus(census, 6)).toContain('6 messages, 2.67 statements per message');
  });

  it('installs nothing without SQL_CENSUS_DIR', () => {
    const wrapped = execFileSync(
      process.execPath,
      [
        '-r',
        preload,
        '-e',
        `const D = require('better-sqlite3'); const s = new D(':memory:').prepare('SELECT 1');
         process.stdout.write(Object.getPrototypeOf(s).run.name)`,
      ],
      { cwd: path.join(__dirname, '..', '..'), env: { ...process.env, SQL_CENSUS_DIR: '' }, encoding: 'utf8' },
    );

    expect(wrapped).not.toBe('censusStatement');
  });
});
