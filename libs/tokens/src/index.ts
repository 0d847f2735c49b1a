export { costMicros } from './cost';
