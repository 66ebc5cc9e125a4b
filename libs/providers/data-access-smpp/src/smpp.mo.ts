import type { SmppDeliverRecord } from './smpp.deliver';
import { splitUdh } from './smpp.encoding';

interface Group {
  readonly parts: (SmppDeliverRecord | undefined)[];
  readonly timer: NodeJS.Timeout;
}

/**
 * Reassembles concatenated MO (UDH IEI 0x00/0x08) in memory, keyed by sender, recipient and reference. Parts are
 * acknowledged as they come, so a crash loses a half-received message; a group still incomplete after
 * `timeoutMs` is handed on with the parts it has rather than dropped (a handset that lost a part still sent
 * text a person wrote, and STOP detection works on what arrived).
 */
export class MoAssembler {
  private readonly groups = new Map<string, Group>();
  private onExpire: (record: SmppDeliverRecord) => void = () => undefined;

  constructor(private readonly timeoutMs = 60_000) {}

  /** Where incomplete groups go when their time is up. */
  setExpiryHandler(handler: (record: SmppDeliverRecord) => void): void {
    this.onExpire = handler;
  }

  /** The complete message (parts in order) once this record completes it; the record itself if not concatenated. */
  add(record: SmppDeliverRecord): SmppDeliverRecord | null {
    const bytes = Buffer.from(record.short_message, 'hex');
    const concat = record.esm_class & 0x40 ? splitUdh(bytes).concat : null;
    if (concat === null || concat.total <= 1 || concat.seq < 1 || concat.seq > concat.total) {
      return record;
    }
    const key = `${record.source_addr}|${record.destination_addr}|${concat.ref}|${concat.total}`;
    let group = this.groups.get(key);
    if (!group) {
      const timer = setTimeout(() => this.expire(key), this.timeoutMs);
      timer.unref();
      group = { parts: new Array<SmppDeliverRecord | undefined>(concat.total).fill(undefined), timer };
      this.groups.set(key, group);
    }
    group.parts[concat.seq - 1] = record;
    if (group.parts.some((part) => part === undefined)) {
      return null;
    }
    clearTimeout(group.timer);
    this.groups.delete(key);

    return merge(group.parts as SmppDeliverRecord[]);
  }

  clear(): void {
    for (const group of this.groups.values()) {
      clearTimeout(group.timer);
    }
    this.groups.clear();
  }

  private expire(key: string): void {
    const group = this.groups.get(key);
    this.groups.delete(key);
    const present = group?.parts.filter((part): part is SmppDeliverRecord => part !== undefined) ?? [];
    if (present.length > 0) {
      this.onExpire(merge(present));
    }
  }
}

function merge(parts: readonly SmppDeliverRecord[]): SmppDeliverRecord {
  const first = parts[0] as SmppDeliverRecord;

  return {
    ...first,
    parts: parts.map((part) => ({
      esm_class: part.esm_class,
      data_coding: part.data_coding,
      short_message: part.short_message,
    })),
  };
}
