export { DEFAULT_STREAM_OPTIONS, ResultPublisher, type ResultStreamOptions } from './result.publisher';
export { answeredResult, unansweredResult, usageEvent, type Answered, type CallUsage, type EndedWithoutAnswer, type RequestIdentity } from './outcome.builder';
export { expiredResult, isExpired } from './deadline';
export { RequestCancellation } from './request-cancellation';
export { RequestNotifications } from './request-notifications';
export { ResultStreamReader, type StreamEntry } from './result-stream.reader';
export { ResultStreamModule } from './result-stream.module';
export { finishDeadLettered, finishDeadLetteredRequests } from './finish-dead-lettered';
