import { checkInfrastructure } from '../infra';

/** Integration specs need the real Kafka, Redis and Postgres that `make test` starts once for the whole run. */
export default async function globalSetup(): Promise<void> {
  await checkInfrastructure();
}
