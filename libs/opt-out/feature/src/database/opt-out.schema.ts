import { OptOutAuditEntity } from './entities/opt-out-audit.entity';
import { OptOutEntity } from './entities/opt-out.entity';
import { CreateOptOuts1763770600000 } from './migrations/1763770600000-CreateOptOuts';

export const OPT_OUT_ENTITIES = [OptOutEntity, OptOutAuditEntity];
export const OPT_OUT_MIGRATIONS = [CreateOptOuts1763770600000];
