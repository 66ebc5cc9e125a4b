import { type ArchivedRowLookup, monthOfUuidV7 } from '@sms/archive';
import { ApiError, serviceUnavailable } from '@sms/platform';

/** Where an archived message is: enough for an operator to restore its month (docs/data-lifecycle.md). */
export interface ArchivedMessageLocation {
  readonly table: string;
  readonly month: string;
  /** The file's key under the archive root (never a server path). */
  readonly file: string;
}

/**
 * 410 for a message of the caller's account that left the hot ledger for the archive. The error body
 * carries where it is under `error.archive`.
 */
export class MessageArchivedError extends ApiError {
  constructor(readonly archive: ArchivedMessageLocation) {
    super(
      410,
      'MESSAGE_ARCHIVED',
      `The message is older than the hot window and was archived (${archive.table}, ${archive.month}); an operator can restore its month`,
    );
  }

  override toBody(): { error: { code: string; message: string; archive: ArchivedMessageLocation } } {
    return { error: { code: this.code, message: this.message, archive: this.archive } };
  }
}

/**
 * Finds a message that is no longer in the hot ledger in the archive of the month its UUIDv7 id was minted
 * in. Only a message of `accountId` is found: another account's, like an unknown id, stays a 404.
 */
export async function findArchivedMessage(
  lookup: ArchivedRowLookup,
  id: string,
  accountId: string,
): Promise<ArchivedMessageLocation | null> {
  const month = monthOfUuidV7(id);
  if (!month) {
    return null;
  }
  let hit;
  try {
    hit = await lookup.findById('sms_messages', month, id);
  } catch {
    // The archive (a volume, a bucket) is a dependency like the database: down is 503, never a 500.
    throw serviceUnavailable('The message archive cannot be read now');
  }
  if (!hit || hit.row.account_id !== accountId) {
    return null;
  }

  return { table: hit.table, month: hit.month, file: hit.file };
}
