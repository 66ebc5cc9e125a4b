/**
 * Where a service keeps its slice of the schema. The distributed mode uses MySQL/MariaDB (one
 * database, each service its own tables and migrations table); the embedded mode gives each service
 * its own SQLite file under the data folder, so the one-writer-per-table rule holds there too.
 */
export type DatabaseConfig =
  | { readonly kind: 'mysql'; readonly url: string; readonly poolSize?: number }
  | { readonly kind: 'sqlite'; readonly directory: string };
