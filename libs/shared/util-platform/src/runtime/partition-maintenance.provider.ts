import { type FactoryProvider, Logger } from '@nestjs/common';
import { isMysql, MONTH_ARCHIVE, type MonthArchive, type MonthlyTable, PartitionMaintenance } from '@sms/persistence';
import type { DataSource } from 'typeorm';
import { RETENTION_CONFIG } from '../config/groups/config-groups';
import type { RetentionGroup } from '../config/groups/retention.config';
import { ShutdownRegistry } from '../lifecycle/shutdown.registry';

/**
 * The partition maintenance of one service's monthly tables (docs/data-lifecycle.md), started with the
 * service: at boot and every PARTITION_MAINTENANCE_INTERVAL_MINUTES, stopped before the data sources close.
 * MySQL/MariaDB only: the embedded mode's SQLite has no partitions (null). The MonthArchive is optional;
 * without one, months past the hot window stay unless RETENTION_DROP_UNARCHIVED is set.
 */
export function partitionMaintenanceProvider(
  token: symbol,
  dataSourceToken: symbol,
  service: string,
  tables: readonly MonthlyTable[],
): FactoryProvider<PartitionMaintenance | null> {
  return {
    provide: token,
    inject: [dataSourceToken, RETENTION_CONFIG, ShutdownRegistry, { token: MONTH_ARCHIVE, optional: true }],
    useFactory: (
      dataSource: DataSource,
      retention: RetentionGroup,
      shutdown: ShutdownRegistry,
      archive?: MonthArchive,
    ): PartitionMaintenance | null => {
      if (!isMysql(dataSource)) {
        return null;
      }
      const logger = new Logger(`${service}-partitions`);
      const maintenance = new PartitionMaintenance({
        dataSource,
        tables,
        monthsAhead: retention.partitionMonthsAhead,
        hotDays: retention.hotDays,
        archive: archive ?? null,
        dropUnarchived: retention.dropUnarchived,
        logger,
      });
      maintenance.start(retention.partitionMaintenanceIntervalMinutes * 60_000);
      shutdown.register('intake', `${service}-partitions`, () => maintenance.stop());

      return maintenance;
    },
  };
}
