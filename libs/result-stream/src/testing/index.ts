export { RecordingResults, type StreamWrite } from './recording-results';
