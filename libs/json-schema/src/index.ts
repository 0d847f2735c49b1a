export { SchemaValidators } from './schema-validators';
