/**
 * Summarises a census written by bench/lib/sql-census.preload.js: statements and transactions per message,
 * heaviest first, each statement with the code that issued it.
 *
 *   node -r ./scripts/register.js bench/lib/sql-census-summary.ts <pid.json> [--messages=N] [--top=30]
 *
 * Without --messages, the messages are the rows inserted into `sms_messages` (the embedded gateway's accepts,
 * warm-up included: the census covers the process's whole life).
 */
import { readFileSync } from 'node:fs';

export interface CensusStatement {
  readonly sql: string;
  readonly calls: number;
  readonly failures: number;
  readonly changes: number;
  readonly unchanged: number;
  readonly micros: number;
  readonly callers: Readonly<Record<string, number>>;
}

export interface CensusTransaction {
  readonly key: string;
  readonly count: number;
  readonly statements: number;
}

export interface Census {
  readonly statements: readonly CensusStatement[];
  readonly transactions: readonly CensusTransaction[];
}

/** Rows the census saw inserted into `sms_messages`: one per accepted message. */
export function messagesOf(census: Census): number {
  return census.statements
    .filter((statement) => /^\s*INSERT INTO sms_messages\b/i.test(statement.sql))
    .reduce((sum, statement) => sum + statement.changes, 0);
}

const perMessage = (value: number, messages: number): string => (value / messages).toFixed(3).padStart(7);

/** The census as text: totals, then statements and transactions per message, heaviest first. */
export function formatCensus(census: Census, messages: number, top = 30): string {
  const calls = census.statements.reduce((sum, statement) => sum + statement.calls, 0);
  const lines = [`${messages} messages, ${(calls / messages).toFixed(2)} statements per message`, 'statements:'];
  for (const statement of [...census.statements].sort((a, b) => b.calls - a.calls).slice(0, top)) {
    const [caller] = Object.entries(statement.callers).sort((a, b) => b[1] - a[1])[0] ?? [''];
    const extra = [
      statement.failures > 0 ? `${statement.failures} failed` : '',
      statement.unchanged > 0 ? `${statement.unchanged} changed nothing` : '',
    ].filter(Boolean);
    lines.push(
      `${perMessage(statement.calls, messages)}  ${(statement.micros / statement.calls).toFixed(1).padStart(6)} µs  ` +
        `${statement.sql.replace(/\s+/g, ' ').slice(0, 110)}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`,
    );
    if (caller) {
      lines.push(`           ${caller.slice(0, 160)}`);
    }
  }
  lines.push('transactions (count per message, statements each):');
  for (const transaction of [...census.transactions].sort((a, b) => b.count - a.count).slice(0, top)) {
    lines.push(
      `${perMessage(transaction.count, messages)}  ${(transaction.statements / transaction.count).toFixed(1).padStart(5)}  ${transaction.key}`,
    );
  }

  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: sql-census-summary.ts <pid.json> [--messages=N] [--top=30]\n');
    process.exit(2);
  }
  const census = JSON.parse(readFileSync(file, 'utf8')) as Census;
  const given = process.argv.find((a) => a.startsWith('--messages='))?.slice('--messages='.length);
  const messages = given ? Number(given) : messagesOf(census);
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice('--top='.length) ?? 30);
  process.stdout.write(`${formatCensus(census, Math.max(1, messages), top)}\n`);
}
