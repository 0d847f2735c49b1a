export interface JudgeVerdict {
  judge: string;
  score: number;
  passed: boolean;
  /** Never quotes content: it may hold PII. */
  details: string;
}

/** A retrieved chunk as the judges read it (from llm.inference.v1's context, or an offline case). */
export interface ContextChunk {
  id: string;
  documentId?: string;
  text: string;
}
