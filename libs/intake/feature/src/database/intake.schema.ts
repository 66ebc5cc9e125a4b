import { AddMessageTraceParent1763779700100 } from './migrations/1763779700100-AddMessageTraceParent';
import { createOutboxSchema } from '@sms/persistence';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { MessageEventEntity } from './entities/message-event.entity';
import { SmsMessageEntity } from './entities/sms-message.entity';
import { CreateIntakeSchema1763770100000 } from './migrations/1763770100000-CreateIntakeSchema';
import { IntakeDlrFallbacks1763780600000 } from './migrations/1763780600000-IntakeDlrFallbacks';
import { AddMessageAccount1765000000200 } from './migrations/1765000000200-AddMessageAccount';
import { CreateAccountLimits1765100000000 } from './migrations/1765100000000-CreateAccountLimits';
import { AccountLimitsEntity } from './entities/account-limits.entity';
import { AddMessageSearchIndexes1766300000000 } from './migrations/1766300000000-AddMessageSearchIndexes';
import { CreateInboundMessages1766300000200 } from './migrations/1766300000200-CreateInboundMessages';
import { InboundMessageEntity } from './entities/inbound-message.entity';
import { AddMessageSchedule1766200000000 } from './migrations/1766200000000-AddMessageSchedule';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookSubscriptionEntity } from './entities/webhook-subscription.entity';
import { CreateWebhooks1766400000000 } from './migrations/1766400000000-CreateWebhooks';
import { AddMessageCallbackFormat1766500000000 } from './migrations/1766500000000-AddMessageCallbackFormat';
import { AddEventTimelineFields1766600000000 } from './migrations/1766600000000-AddEventTimelineFields';
import { PartitionLedgerByMonth1767000000000 } from './migrations/1767000000000-PartitionLedgerByMonth';
import { PrivacyErasureEntity, PrivacyErasureSliceEntity } from './entities/privacy-erasure.entity';
import { CreatePrivacyErasures1766900000000 } from './migrations/1766900000000-CreatePrivacyErasures';
import { MessageChargeEntity } from './entities/message-charge.entity';
import { CreateMessageCharges1767200000000 } from './migrations/1767200000000-CreateMessageCharges';
import { ResendPolicyEntity } from './entities/resend-policy.entity';
import { CreateResendPolicies1767420000000 } from './migrations/1767420000000-CreateResendPolicies';
import { PrivacyErasureRegions1767430000000 } from './migrations/1767430000000-PrivacyErasureRegions';

export const INTAKE_OUTBOX = createOutboxSchema('intake_outbox');
export const INTAKE_ENTITIES = [
  SmsMessageEntity,
  MessageEventEntity,
  IdempotencyKeyEntity,
  INTAKE_OUTBOX,
  AccountLimitsEntity,
  InboundMessageEntity,
  WebhookSubscriptionEntity,
  WebhookDeliveryEntity,
  PrivacyErasureEntity,
  PrivacyErasureSliceEntity,
  MessageChargeEntity,
  ResendPolicyEntity,
];
export const INTAKE_MIGRATIONS = [
  CreateIntakeSchema1763770100000,
  AddMessageTraceParent1763779700100,
  IntakeDlrFallbacks1763780600000,
  AddMessageAccount1765000000200,
  CreateAccountLimits1765100000000,
  AddMessageSchedule1766200000000,
  AddMessageSearchIndexes1766300000000,
  CreateInboundMessages1766300000200,
  CreateWebhooks1766400000000,
  AddMessageCallbackFormat1766500000000,
  AddEventTimelineFields1766600000000,
  CreatePrivacyErasures1766900000000,
  PartitionLedgerByMonth1767000000000,
  CreateMessageCharges1767200000000,
  CreateResendPolicies1767420000000,
  PrivacyErasureRegions1767430000000,
];
