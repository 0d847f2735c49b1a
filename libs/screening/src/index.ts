export { PATTERN_SET_NAMES, PATTERN_SETS, type PatternSetName } from './injection-patterns';
export { screenTexts, userTurnsText, type ScreenResult } from './prompt-screen';
