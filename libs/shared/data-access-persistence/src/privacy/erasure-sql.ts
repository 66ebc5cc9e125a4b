import type { EntityManager } from 'typeorm';
import { affectedRows } from '../affected-rows';
import { type NumberPattern, numberPattern, scrubPayload } from './number-mentions';

/** One person to erase, as every slice sees it: the number, what replaces it, and how to find it in text. */
export interface ErasureTarget {
  readonly number: string;
  readonly token: string;
  readonly pattern: NumberPattern;
}

export const erasureTargetOf = (number: string, token: string): ErasureTarget => ({
  number,
  token,
  pattern: numberPattern(number),
});

const quoted = (name: string): string => `\`${name}\``;

/**
 * `UPDATE table SET column = token, … WHERE column = number`: the rows that hold the number in a column of
 * its own. Only rows still holding the number match, so a repeated erasure changes (and counts) none.
 */
export async function replaceNumberIn(
  manager: EntityManager,
  table: string,
  column: string,
  target: ErasureTarget,
  alsoSet: Readonly<Record<string, string | null>> = {},
): Promise<number> {
  const sets = [[column, target.token] as const, ...Object.entries(alsoSet)];

  return affectedRows(
    manager,
    `UPDATE ${quoted(table)} SET ${sets.map(([name]) => `${quoted(name)} = ?`).join(', ')} WHERE ${quoted(column)} = ?`,
    [...sets.map(([, value]) => value), target.number],
  );
}

export interface MentionScrub {
  readonly table: string;
  /** The primary key column. */
  readonly key: string;
  /** Text columns that may mention the number (payloads, provider answers, URLs). */
  readonly columns: readonly string[];
  /**
   * The new value of one column of a row that mentions the number somewhere; default {@link scrubPayload}
   * (the number replaced by the token, message texts emptied, the format kept).
   */
  readonly rewrite?: (column: string, value: string, target: ErasureTarget) => string;
}

/**
 * Rewrites the rows whose text columns mention the number (in any provider's format). A `LIKE` on the digits
 * finds the candidates (a scan: these columns have no index, and an erasure is rare), the digit-boundary
 * check in {@link NumberPattern} keeps the ones that really mention it, and each is updated by its key.
 * Rewritten rows no longer mention it, so a repeated erasure finds none.
 */
export async function scrubMentionsIn(
  manager: EntityManager,
  scrub: MentionScrub,
  target: ErasureTarget,
): Promise<number> {
  const like = `%${target.pattern.digits}%`;
  const rows = await manager.query<Record<string, unknown>[]>(
    `SELECT ${[scrub.key, ...scrub.columns].map(quoted).join(', ')} FROM ${quoted(scrub.table)} WHERE ` +
      scrub.columns.map((column) => `${quoted(column)} LIKE ?`).join(' OR '),
    scrub.columns.map(() => like),
  );
  const rewrite = scrub.rewrite ?? ((_column, value, t) => scrubPayload(value, t.pattern, t.token));
  let changed = 0;
  for (const row of rows) {
    const mentioning = scrub.columns.filter((column) => {
      const value = row[column];

      return typeof value === 'string' && target.pattern.mentions(value);
    });
    if (mentioning.length === 0) {
      continue;
    }
    // Every text column of the row is rewritten once one mentions the number: a body sits beside it.
    const values = scrub.columns.map((column) => {
      const value = row[column];

      return typeof value === 'string' ? rewrite(column, value, target) : value;
    });
    await manager.query(
      `UPDATE ${quoted(scrub.table)} SET ${scrub.columns.map((column) => `${quoted(column)} = ?`).join(', ')} ` +
        `WHERE ${quoted(scrub.key)} = ?`,
      [...values, row[scrub.key]],
    );
    changed++;
  }

  return changed;
}
