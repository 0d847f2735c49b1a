import { KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { producerStateLost } from '../producer/kafka-event.publisher';
import { brokerUnavailable } from './broker-unavailable';

// kafkajs's typings miss the runtime constructors' arguments: the message, and the cause its retrier wraps.
const CoordinatorNotFound = KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error;
const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
/** What a consumer crashes with once kafkajs's retries ran out on `inner`. */
const gaveUpOn = (inner: Error) => new NonRetriable(inner, { cause: inner });

describe('brokerUnavailable', () => {
  it('sees an unreachable broker through the wrapper kafkajs crashes with', () => {
    // What every service's consumer crashed with in a CI run while the broker restarted.
    expect(brokerUnavailable(gaveUpOn(new CoordinatorNotFound('Failed to find group coordinator')))).toBe(true);
    expect(brokerUnavailable(gaveUpOn(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')))).toBe(true);
  });

  it('does not take a refusal by a reachable broker, or any other error, for an outage', () => {
    expect(brokerUnavailable(gaveUpOn(new KafkaJSProtocolError('The group member protocol is not compatible with existing members')))).toBe(false);
    expect(brokerUnavailable(new Error('handler bug'))).toBe(false);
    expect(brokerUnavailable(undefined)).toBe(false);
  });
});

describe('producerStateLost', () => {
  it('recognises the broker refusing the idempotent producer state, through kafkajs wrappers', () => {
    const outOfOrder = new KafkaJSProtocolError('The broker received an out of order sequence number') as KafkaJSProtocolError & { type: string };
    Object.assign(outOfOrder, { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(producerStateLost(gaveUpOn(outOfOrder))).toBe(true);
    expect(producerStateLost(gaveUpOn(new KafkaJSConnectionError('Connection error')))).toBe(false);
  });
});
