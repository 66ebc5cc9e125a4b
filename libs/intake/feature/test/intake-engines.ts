/**
 * Test support (not part of the service): intake's store on each engine it runs on, for integration specs that
 * must hold in both modes (`sliceEngines` of @sms/testing: MariaDB with the real migrations, SQLite with the
 * schema from the entities, ADR 0003).
 */
import { type SliceEngine, sliceEngines } from '@sms/testing-slices';
import { INTAKE_ENTITIES, INTAKE_MIGRATIONS } from '../src/database/intake.schema';

export type IntakeEngine = SliceEngine;

export const [INTAKE_MARIADB, INTAKE_SQLITE] = sliceEngines({
  service: 'intake',
  entities: INTAKE_ENTITIES,
  migrations: INTAKE_MIGRATIONS,
  poolSize: 10,
  // As the service runs it (intake.module.ts): the group commits' statements packed.
  multipleStatements: true,
}) as [SliceEngine, SliceEngine];
