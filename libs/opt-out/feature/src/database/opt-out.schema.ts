import { OptOutAuditEntity } from './entities/opt-out-audit.entity';
import { OptOutRecentSenderEntity } from './entities/opt-out-recent-sender.entity';
import { OptOutSettingsEntity } from './entities/opt-out-settings.entity';
import { OptOutEntity } from './entities/opt-out.entity';
import { CreateOptOuts1763770600000 } from './migrations/1763770600000-CreateOptOuts';
import { OptOutAccounts1765000000100 } from './migrations/1765000000100-OptOutAccounts';

export const OPT_OUT_ENTITIES = [OptOutEntity, OptOutAuditEntity, OptOutSettingsEntity, OptOutRecentSenderEntity];
export const OPT_OUT_MIGRATIONS = [CreateOptOuts1763770600000, OptOutAccounts1765000000100];
