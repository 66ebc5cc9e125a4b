import { v7 as uuidv7 } from 'uuid';

/**
 * A new status event's id: a UUIDv7, so ids minted later sort later. Every store of events keeps a unique
 * index on the id (`message_events.event_id`), and a random id lands on a random page of it: each event
 * committed then dirties a page of its own, which SQLite writes to its WAL and InnoDB to its redo log and
 * buffer pool, while ids in time order fill the index's last pages together (docs/performance.md, "Embedded:
 * time-ordered event ids"). Ids derived from other facts (a receipt's, a roll-up's) are not minted here:
 * they must come out the same on every replay.
 */
export const newEventId = (): string => uuidv7();
