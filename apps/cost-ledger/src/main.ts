import { startService } from '@llm/service-runtime';
import { loadCostLedgerConfig } from './config/cost-ledger.config';
import { ledgerHttpErrorMapper } from './ledger/ledger.errors';
import { LedgerModule } from './ledger/ledger.module';

startService(() => {
  const config = loadCostLedgerConfig();
  return {
    name: 'cost-ledger',
    settings: config,
    kafka: config,
    module: (logger) => LedgerModule.forRoot({ config, logger }),
    httpErrorMappers: [ledgerHttpErrorMapper],
  };
});
