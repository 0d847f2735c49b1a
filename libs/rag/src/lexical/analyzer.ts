/** English function words: they match everywhere and only add noise to lexical scores. */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its ' +
    'me my no not of on or our she so such than that the their them then there these they this those to was we were what ' +
    'when where which who whom why will with would you your'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Terms of a text for BM25: lowercased letter/number runs (Unicode aware), stopwords dropped, and a light suffix
 * stemmer (plural and common verb endings) so "Normans" matches "Norman" and "ruled" matches "rule".
 */
export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').matchAll(WORD)) {
    const word = match[0];
    if (STOPWORDS.has(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}

function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
  if (word.endsWith('es') && /(?:ch|sh|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word;
}
