/**
 * The base of an A/B of the bus' CRC-32C (libs/shared/data-access-bus/src/kafkajs-crc32c.fix.ts): loaded with
 * `-r` (also through NODE_OPTIONS, into the services), it loads kafkajs' record-batch encoder first, so the bus
 * finds it bound and leaves kafkajs' own byte-at-a-time checksum in place. Measurement only.
 */
require('kafkajs/src/protocol/recordBatch/v0');
