import { startPlatform } from './platform';

export default async function globalSetup(): Promise<void> {
  await startPlatform();
}
