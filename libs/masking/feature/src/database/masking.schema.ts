import { MaskAssignmentEntity } from './entities/mask-assignment.entity';
import { MaskPoolNumberEntity } from './entities/mask-pool-number.entity';
import { NumberMaskEntity } from './entities/number-mask.entity';
import { CreateNumberMasks1763770700000 } from './migrations/1763770700000-CreateNumberMasks';
import { MaskAccounts1765000000200 } from './migrations/1765000000200-MaskAccounts';
import { AddMaskAccountIndex1767100000000 } from './migrations/1767100000000-AddMaskAccountIndex';

export const MASKING_ENTITIES = [MaskPoolNumberEntity, NumberMaskEntity, MaskAssignmentEntity];
export const MASKING_MIGRATIONS = [
  CreateNumberMasks1763770700000,
  MaskAccounts1765000000200,
  AddMaskAccountIndex1767100000000,
];
