/**
 * Pattern sets for prompt-injection screening. The patterns follow the attack families catalogued in public
 * work on prompt injection and jailbreaks: OWASP Top 10 for LLM Applications (LLM01 Prompt Injection), Perez &
 * Ribeiro "Ignore Previous Prompt" (2022), Greshake et al. on indirect injection (2023), the "DAN"/developer-mode
 * jailbreak prompts collected by Shen et al. "Do Anything Now" (2023), and Gandalf/Lakera-style system prompt
 * extraction. Each pattern names its family so a decision can be explained without logging the prompt.
 */
export interface InjectionPattern {
  family: string;
  pattern: RegExp;
}

const ANY = '[\\s\\S]{0,40}?';

const DEFAULT: InjectionPattern[] = [
  // Instruction override: "ignore / disregard / forget (all) (the) previous instructions".
  {
    family: 'override',
    pattern: new RegExp(
      `\\b(ignore|disregard|forget|bypass|override|skip)\\b${ANY}\\b(previous|prior|above|earlier|preceding|initial|original|system|all|your)\\b${ANY}\\b(instructions?|prompts?|rules|directives|guidelines|context|programming|constraints)\\b`,
      'i',
    ),
  },
  { family: 'override', pattern: /\b(new|updated|real|actual) (system )?instructions?\s*:/i },
  { family: 'override', pattern: /\bfrom now on,? (you|your)\b[\s\S]{0,60}\b(no longer|not bound|without (any )?(restrictions|limits|filters|rules))/i },
  // Role hijack / jailbreak personas.
  {
    family: 'jailbreak',
    pattern: /\b(DAN|STAN|DUDE|AIM)\b[\s\S]{0,80}\b(do anything now|strive to avoid norms|always intelligent and machiavellian|no (ethical|moral) (guidelines|restrictions))/i,
  },
  { family: 'jailbreak', pattern: /\bdo anything now\b/i },
  { family: 'jailbreak', pattern: /\b(developer|god|jailbreak|unrestricted|unfiltered|evil) mode\b[\s\S]{0,40}\b(enabled|activated|on|output)\b/i },
  {
    family: 'jailbreak',
    pattern: /\b(pretend|act|behave|respond)\b[\s\S]{0,40}\b(no|without( any)?) (restrictions|filters|limitations|guidelines|censorship|content polic(y|ies))\b/i,
  },
  { family: 'jailbreak', pattern: /\byou are (now )?(freed|free|liberated|released) from\b[\s\S]{0,40}\b(restrictions|rules|openai|policies|guidelines)/i },
  // System prompt extraction.
  {
    family: 'extraction',
    pattern:
      /\b(reveal|print|show|output|repeat|display|leak|tell me|what (is|are|was|were))\b[\s\S]{0,30}\b(your|the)\b[\s\S]{0,20}\b(system|initial|hidden|secret|original) (prompt|instructions|message)\b/i,
  },
  { family: 'extraction', pattern: /\brepeat (the )?(words|text) above\b|\bstarting with ["']you are\b/i },
  // Fake structure: closing the system turn or forging one.
  { family: 'delimiter', pattern: /<\/?(system|im_start|im_end)\b[^>]*>|<\|im_(start|end)\|>|\[\/?(SYSTEM|INST)\]|^\s*#{2,}\s*(system|instruction)s?\b/im },
];

/** Adds the indirect-injection family (instructions aimed at the assistant hidden in pasted content). */
const STRICT: InjectionPattern[] = [
  ...DEFAULT,
  { family: 'indirect', pattern: /\b(assistant|AI|model|chatbot|LLM),?\s+(must|should|will)\s+(now\s+)?(ignore|disregard|instead)\b/i },
  { family: 'indirect', pattern: /\b(important|attention|note)\s*(!|:)\s*(to the )?(ai|assistant|model|llm)\b/i },
  { family: 'exfiltration', pattern: /!\[[^\]]*\]\(https?:\/\/[^)]*(\?|&)[a-z_]+=\{?[a-z_]*\}?\)/i },
];

export const PATTERN_SETS = { default: DEFAULT, strict: STRICT } as const;
export type PatternSetName = keyof typeof PATTERN_SETS;
export const PATTERN_SET_NAMES = Object.keys(PATTERN_SETS) as PatternSetName[];
