import { unprocessable } from '@sms/platform';
import type { DataSource } from 'typeorm';
import { OptOutSettingsEntity } from '../database/entities/opt-out-settings.entity';

export type OptOutScope = 'account' | 'sender';

/** Named in confirmations when the account has set no display name. */
export const DEFAULT_DISPLAY_NAME = 'this service';
/** Replaced by the account's display name in every reply text. */
export const NAME_PLACEHOLDER = '{name}';

/** The deployment's defaults (OPT_OUT_SCOPE and the OPT_OUT_*_REPLY settings). */
export interface OptOutDefaults {
  readonly scope: OptOutScope;
  readonly stopReply: string;
  readonly stopSenderReply: string;
  readonly stopAllReply: string;
  readonly startReply: string;
  readonly helpReply: string;
}

/** An account's effective policy: its own values where set, the defaults elsewhere. */
export interface OptOutSettingsView {
  readonly scope: OptOutScope;
  readonly displayName: string | null;
  readonly stopReply: string;
  readonly stopSenderReply: string;
  readonly startReply: string;
  readonly helpReply: string;
}

/** `PUT /v1/opt-outs/settings`: a field left out keeps its value, null returns it to the default. */
export type OptOutSettingsPatch = {
  readonly [K in keyof OptOutSettingsView]?: OptOutSettingsView[K] | null;
};

const TEXT_FIELDS = ['stopReply', 'stopSenderReply', 'startReply', 'helpReply'] as const;
const FIELDS = new Set<string>(['scope', 'displayName', ...TEXT_FIELDS]);
const MAX_TEXT = 320;
const MAX_NAME = 64;

export const renderReply = (template: string, displayName: string | null): string =>
  template.split(NAME_PLACEHOLDER).join(displayName ?? DEFAULT_DISPLAY_NAME);

/** Validates the settings body with a stable code per broken rule. */
export function parseSettingsPatch(input: unknown): OptOutSettingsPatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw unprocessable('INVALID_REQUEST', 'Request body must be a JSON object');
  }
  const record = input as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!FIELDS.has(field)) {
      throw unprocessable('UNKNOWN_FIELD', `Unknown field '${field.slice(0, 64)}'`, field.slice(0, 64));
    }
  }
  const patch: Record<string, string | null> = {};
  if ('scope' in record) {
    const scope = record['scope'];
    if (scope !== null && scope !== 'account' && scope !== 'sender') {
      throw unprocessable('INVALID_OPT_OUT_SCOPE', "scope must be 'account' or 'sender'", 'scope');
    }
    patch['scope'] = scope;
  }
  if ('displayName' in record) {
    const name = record['displayName'];
    if (name !== null && (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_NAME)) {
      throw unprocessable('INVALID_DISPLAY_NAME', `displayName must be 1 to ${MAX_NAME} characters`, 'displayName');
    }
    patch['displayName'] = name === null ? null : name.trim();
  }
  for (const field of TEXT_FIELDS) {
    if (field in record) {
      const text = record[field];
      if (text !== null && (typeof text !== 'string' || text.length > MAX_TEXT)) {
        throw unprocessable('INVALID_REPLY_TEXT', `${field} must be a string of at most ${MAX_TEXT} characters`, field);
      }
      patch[field] = text;
    }
  }

  return patch;
}

/** Per-account opt-out settings, stored in the opt-out slice (`opt_out_settings`). */
export class OptOutSettingsStore {
  constructor(
    private readonly dataSource: DataSource,
    readonly defaults: OptOutDefaults,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async of(accountId: string): Promise<OptOutSettingsView> {
    const row = await this.dataSource.getRepository(OptOutSettingsEntity).findOneBy({ accountId });

    return this.effective(row);
  }

  async update(accountId: string, patch: OptOutSettingsPatch): Promise<OptOutSettingsView> {
    const repository = this.dataSource.getRepository(OptOutSettingsEntity);
    const row = (await repository.findOneBy({ accountId })) ?? {
      accountId,
      scope: null,
      displayName: null,
      stopReply: null,
      stopSenderReply: null,
      startReply: null,
      helpReply: null,
      updatedAt: this.now(),
    };
    const next: OptOutSettingsEntity = {
      ...row,
      scope: patch.scope === undefined ? row.scope : patch.scope,
      displayName: patch.displayName === undefined ? row.displayName : patch.displayName,
      stopReply: patch.stopReply === undefined ? row.stopReply : patch.stopReply,
      stopSenderReply: patch.stopSenderReply === undefined ? row.stopSenderReply : patch.stopSenderReply,
      startReply: patch.startReply === undefined ? row.startReply : patch.startReply,
      helpReply: patch.helpReply === undefined ? row.helpReply : patch.helpReply,
      updatedAt: this.now(),
    };
    await repository.save(next);

    return this.effective(next);
  }

  private effective(row: OptOutSettingsEntity | null): OptOutSettingsView {
    const d = this.defaults;

    return {
      scope: row?.scope === 'sender' || row?.scope === 'account' ? row.scope : d.scope,
      displayName: row?.displayName ?? null,
      stopReply: row?.stopReply ?? d.stopReply,
      stopSenderReply: row?.stopSenderReply ?? d.stopSenderReply,
      startReply: row?.startReply ?? d.startReply,
      helpReply: row?.helpReply ?? d.helpReply,
    };
  }
}
