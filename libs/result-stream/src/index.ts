export { DEFAULT_STREAM_OPTIONS, ResultPublisher, resultIdentity, type ResultStreamOptions } from './result.publisher';
export { ResultStreamReader, type StreamEntry } from './result-stream.reader';
export { ResultStreamModule } from './result-stream.module';
export { finishDeadLettered, finishDeadLetteredRequests } from './finish-dead-lettered';
