export { callCostMicros, type CallTokens, type TokenPrices } from './cost';
export { countPromptTokens, countTokens, DEFAULT_TOKEN_ENCODING, promptText, TOKEN_ENCODINGS, type TokenEncoding } from './count';
