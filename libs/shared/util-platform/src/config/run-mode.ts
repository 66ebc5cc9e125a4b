/** How the gateway runs: one process over SQLite and the in-process bus, or services over Kafka and MySQL. */
export type RunMode = 'embedded' | 'distributed';
