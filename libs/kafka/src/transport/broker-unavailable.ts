/** kafkajs errors that mean "the broker could not be reached (yet)", as opposed to a refusal such as a group protocol clash. */
const UNAVAILABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
]);

export function brokerUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 8 || typeof err !== 'object' || err === null) return false;
  const { name, cause } = err as { name?: unknown; cause?: unknown };
  return (typeof name === 'string' && UNAVAILABLE.has(name)) || brokerUnavailable(cause, depth + 1);
}
