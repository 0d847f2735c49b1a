export { InMemoryEventPublisher, type PublishedEvent } from './in-memory-event.publisher';
