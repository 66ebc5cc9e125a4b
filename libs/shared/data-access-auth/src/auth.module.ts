import { type DynamicModule, Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { createServiceDataSource, isDataSourceReady } from '@sms/persistence';
import {
  APP_CONFIG,
  type AppConfig,
  globalDatabaseConfigOf,
  REGION_CONFIG,
  ReadinessRegistry,
  type RegionConfig,
  ShutdownRegistry,
  SINGLE_REGION,
} from '@sms/platform';
import type { DataSource } from 'typeorm';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { AccountsController, OwnAccountController } from './accounts.controller';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyService } from './api-key.service';
import { ApiKeysController } from './api-keys.controller';
import { DlqReplayController } from './dlq-replay.controller';
import { CreateApiKeys1763770000000 } from './migrations/1763770000000-CreateApiKeys';
import { AddApiKeyAccount1765000000000 } from './migrations/1765000000000-AddApiKeyAccount';
import { CreateAccounts1765000000100 } from './migrations/1765000000100-CreateAccounts';
import { AddAccountSmartEncoding1766100000000 } from './migrations/1766100000000-AddAccountSmartEncoding';
import { AddAccountDataResidency1767300000000 } from './migrations/1767300000000-AddAccountDataResidency';

const AUTH_DATA_SOURCE = Symbol('AUTH_DATA_SOURCE');
const AUTH_MODULE_OPTIONS = Symbol('AUTH_MODULE_OPTIONS');

export const AUTH_MIGRATIONS = [
  CreateApiKeys1763770000000,
  AddApiKeyAccount1765000000000,
  CreateAccounts1765000000100,
  AddAccountSmartEncoding1766100000000,
  AddAccountDataResidency1767300000000,
];
export const AUTH_ENTITIES = [ApiKeyEntity, AccountEntity];

export interface AuthModuleOptions {
  /**
   * Serve `/v1/api-keys`, `/v1/accounts` and `/v1/account` from this process (the auth slice's one
   * writer: intake, or the embedded host), which also makes sure the default account exists at boot, and
   * the operator's `POST /v1/admin/dlq/replay` (any process can reach every DLQ through its bus).
   */
  readonly adminRoutes: boolean;
}

/** API-key authentication for every `/v1` route; owns the `api_keys` slice (ADR 0004). */
@Global()
@Module({})
export class AuthModule implements OnModuleInit {
  constructor(
    @Inject(AUTH_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_MODULE_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly accounts: AccountService,
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownRegistry,
  ) {}

  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      controllers: options.adminRoutes
        ? [ApiKeysController, AccountsController, OwnAccountController, DlqReplayController]
        : [],
      providers: [
        { provide: AUTH_MODULE_OPTIONS, useValue: options },
        {
          provide: AUTH_DATA_SOURCE,
          inject: [APP_CONFIG, { token: REGION_CONFIG, optional: true }],
          useFactory: async (config: AppConfig, region: RegionConfig | undefined): Promise<DataSource> =>
            createServiceDataSource({
              service: 'auth',
              // Accounts and keys are global: a key works in every region (docs/regions.md).
              database: globalDatabaseConfigOf(config, region ?? SINGLE_REGION, 4),
              entities: AUTH_ENTITIES,
              migrations: AUTH_MIGRATIONS,
            }).initialize(),
        },
        { provide: ApiKeyService, inject: [AUTH_DATA_SOURCE], useFactory: (ds: DataSource) => new ApiKeyService(ds) },
        { provide: AccountService, inject: [AUTH_DATA_SOURCE], useFactory: (ds: DataSource) => new AccountService(ds) },
        ApiKeyGuard,
      ],
      exports: [ApiKeyService, AccountService, ApiKeyGuard],
    };
  }

  async onModuleInit(): Promise<void> {
    if (this.options.adminRoutes) {
      // The embedded mode has no migrations to insert it; in MySQL the migration did, and this is a no-op.
      await this.accounts.ensureDefault();
    }
    this.readiness.register('auth-db', () => isDataSourceReady(this.dataSource));
    this.shutdown.register('storage', 'auth-db', () => this.dataSource.destroy());
  }
}
