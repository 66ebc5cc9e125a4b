import { ApiError, decideRegion, messageIdMinter, type RegionConfig, regionOfId } from '@sms/platform';
import { phoneParseCache } from '../messages/phone-cache';

/**
 * Intake's side of regions (docs/regions.md): which region a new message or an id belongs to, and the ids
 * this region mints. With regions off every answer is "here" and ids are plain UUIDv7, as before.
 */
export class RegionGate {
  private readonly mint: () => string;

  constructor(
    readonly config: RegionConfig,
    /** The account's data-residency region (AccountService, cached with the other send settings). */
    private readonly residencyOf: (accountId: string) => Promise<string | null>,
  ) {
    this.mint = messageIdMinter(config);
  }

  get enabled(): boolean {
    return this.config.region !== null;
  }

  newId(): string {
    return this.mint();
  }

  /** The other region a new message to `country` of this account belongs to; null: this one. */
  async foreignRegionOf(accountId: string, country: string | null): Promise<string | null> {
    if (this.config.region === null) {
      return null;
    }
    const region = decideRegion(this.config, await this.residencyOf(accountId), country);

    return region === null || region === this.config.region ? null : region;
  }

  /**
   * The same for a raw send request, before it is validated: its `to`'s country (the cached parse validation
   * repeats). A request without a usable `to` is this region's: validation here refuses it with its own code.
   */
  async foreignRegionOfRequest(accountId: string, body: unknown): Promise<string | null> {
    if (this.config.region === null) {
      return null;
    }
    const to = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['to'] : undefined;
    const parsed = typeof to === 'string' ? phoneParseCache.parse(to) : null;

    return this.foreignRegionOf(accountId, parsed?.ok ? parsed.country : null);
  }

  /**
   * Refuses a message that belongs to another region where it cannot be forwarded (a batch item, a
   * Twilio-compatible send, a forwarded request the regions' maps disagree on): writing it here would put
   * its data in the wrong region.
   */
  async assertHome(accountId: string, country: string | null): Promise<void> {
    const region = await this.foreignRegionOf(accountId, country);
    if (region !== null) {
      throw regionMismatch(region);
    }
  }

  /** The other region that owns a message id; null when this one does (or the id names no region). */
  foreignRegionOfId(id: string): string | null {
    const region = regionOfId(this.config, id);

    return region === null || region === this.config.region ? null : region;
  }
}

export const regionMismatch = (region: string): ApiError =>
  new ApiError(
    421,
    'REGION_MISMATCH',
    `This message belongs to region ${region}: send it through that region's API`,
    undefined,
    { 'x-sms-region': region },
  );
