import calibration from './rag-calibration.json';
import type { FusionParams } from './hybrid/hybrid-search';

/**
 * Defaults fitted by `npm run bench:rag -- --calibrate` on SQuAD 2.0 (even rows of qa_part1): the fusion
 * parameters and the decline threshold (best dense cosine below it: no source supports an answer).
 */
export const RAG_CALIBRATION: { threshold: number; fusion: FusionParams } = { threshold: calibration.threshold, fusion: calibration.fusion };
