import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Bus } from '@sms/bus';
import {
  ContractViolationError,
  decodeEvent,
  ErasureReportedV1,
  ErasureRequestedV1,
  OptOutChangedV1,
  PEER_ORIGIN_HEADER,
  TOPICS,
} from '@sms/contracts';
import { OptOutLedger } from '@sms/opt-out';
import { BUS, GLOBAL_TOPICS, InternalTokenGuard, REGION_CONFIG, type RegionConfig, unprocessable } from '@sms/platform';

/** Records per request: the relay sends up to 200. */
const MAX_RECORDS = 500;

interface PeerRecordIn {
  readonly topic: string;
  readonly value: unknown;
}

/**
 * Where an embedded region receives its peers' global records (docs/regions.md, "Embedded mode"): opt-out
 * states go into this region's own ledger (and its replicas), erasure commands and reports onto its bus,
 * marked with the sending region so they are not sent on again. Internal token only (the same
 * INTERNAL_API_TOKEN in every region); not part of the public API. Every record is checked before any is
 * applied, so a malformed batch (422) changes nothing; applying a batch again changes nothing either.
 */
@ApiExcludeController()
@UseGuards(InternalTokenGuard)
@Controller('internal/v1/region-peers')
export class RegionPeersController {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(REGION_CONFIG) private readonly region: RegionConfig,
    private readonly ledger: OptOutLedger,
  ) {}

  @Post('records')
  @HttpCode(204)
  async receive(@Body() body: unknown): Promise<void> {
    const { from, records } = this.parse(body);
    for (const record of records) {
      if (record.topic === TOPICS.optout) {
        await this.ledger.applyFromPeer(decodeEvent(OptOutChangedV1, record.value), from);
      } else {
        // Erasure commands and reports are keyed by the erasure id, as intake and the slices publish them.
        const { erasureId } = record.value as { erasureId: string };
        await this.bus.publish([
          { topic: record.topic, key: erasureId, value: record.value, headers: { [PEER_ORIGIN_HEADER]: from } },
        ]);
      }
    }
  }

  private parse(body: unknown): { from: string; records: PeerRecordIn[] } {
    const input = (typeof body === 'object' && body !== null ? body : {}) as { from?: unknown; records?: unknown };
    const from = input.from;
    if (typeof from !== 'string' || !this.region.regions.has(from) || from === this.region.region) {
      throw unprocessable('UNKNOWN_REGION', 'from must name another configured region', 'from');
    }
    if (!Array.isArray(input.records) || input.records.length > MAX_RECORDS) {
      throw unprocessable('INVALID_RECORDS', `records must be an array of up to ${MAX_RECORDS}`, 'records');
    }
    const records = input.records as unknown[];
    for (const [index, record] of records.entries()) {
      const { topic, value } = (record ?? {}) as Partial<PeerRecordIn>;
      if (typeof topic !== 'string' || !GLOBAL_TOPICS.has(topic)) {
        throw unprocessable('INVALID_RECORDS', `records[${index}] is not a global topic's record`, 'records');
      }
      try {
        decodeEvent(CONTRACTS[topic]!, value);
      } catch (error) {
        if (error instanceof ContractViolationError) {
          throw unprocessable('INVALID_RECORDS', `records[${index}]: ${error.message}`, 'records');
        }
        throw error;
      }
    }

    return { from, records: records as PeerRecordIn[] };
  }
}

const CONTRACTS: Record<string, new () => object> = {
  [TOPICS.optout]: OptOutChangedV1,
  [TOPICS.privacy]: ErasureRequestedV1,
  [TOPICS.privacyReport]: ErasureReportedV1,
};
