import { startService } from '@llm/service-runtime';
import { loadCostLedgerConfig } from './config/cost-ledger.config';
import { ledgerHttpErrorMapper } from './ledger/ledger.errors';
import { LedgerModule } from './ledger/ledger.module';

startService(() => {
  const config = loadCostLedgerConfig();
  return {
    name: 'cost-ledger',
    module: LedgerModule.forRoot({ databaseUrl: config.DATABASE_URL, adminToken: config.ADMIN_TOKEN }),
    http: { host: config.HTTP_HOST, port: config.HTTP_PORT },
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    kafka: config,
    httpErrorMappers: [ledgerHttpErrorMapper],
  };
});
