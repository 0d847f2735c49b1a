/**
 * `npm run calibrate:escalation -- --base-url <url> --model <name> --prompts <jsonl> [--limit 40] [--share 0.2]
 * [--max-tokens 32] [--api-key k] [--deployment-id id] [--out file.json]` (after `npm run build`): asks one
 * deployment the sample prompts (`question` or `prompt` field of each JSONL line) with logprobs, and prints the
 * distribution of mean token logprobs and the threshold that escalates `--share` of the answers, as the catalog's
 * `escalation` entry for that deployment. Prompts are never logged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { meanTokenLogprob } from '@llm/routing-scorer';
import OpenAI from 'openai';
import { quantiles, thresholdForShare } from './calibration';

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const baseURL = flag('base-url');
  const model = flag('model');
  const promptsFile = flag('prompts');
  if (!baseURL || !model || !promptsFile) {
    process.stderr.write('usage: npm run calibrate:escalation -- --base-url <url> --model <name> --prompts <jsonl> [--limit N] [--share 0.2] [--out file.json]\n');
    process.exit(2);
  }
  const limit = Number(flag('limit') ?? 40);
  const share = Number(flag('share') ?? 0.2);
  const maxTokens = Number(flag('max-tokens') ?? 32);
  const prompts = readFileSync(promptsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, limit)
    .map((l) => {
      const o = JSON.parse(l) as { question?: string; prompt?: string };
      return o.question ?? o.prompt ?? '';
    });
  const client = new OpenAI({ baseURL, apiKey: flag('api-key') ?? 'not-needed', maxRetries: 1 });
  const means: number[] = [];
  let without = 0;
  const started = Date.now();
  for (const content of prompts) {
    const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content }], max_tokens: maxTokens, temperature: 0, logprobs: true });
    const mean = meanTokenLogprob(r.choices[0]?.logprobs);
    if (mean === undefined) without++;
    else means.push(mean);
  }
  const threshold = thresholdForShare(means, share);
  const calibratedOn = `${prompts.length} prompts of ${promptsFile.split('/').at(-1)}, max_tokens ${maxTokens}, temperature 0; escalates ${Math.round(share * 100)}% (${new Date().toISOString().slice(0, 10)})`;
  const report = {
    generated_at: new Date().toISOString(),
    command: `npm run calibrate:escalation -- ${process.argv.slice(2).join(' ')}`,
    model,
    samples: means.length,
    answers_without_logprobs: without,
    mean_token_logprob: quantiles(means, [0.05, 0.1, 0.25, 0.5, 0.75, 0.9]),
    share,
    catalog_entry: threshold === undefined ? null : { escalation: { min_mean_logprob: Math.round(threshold * 1000) / 1000, calibrated_on: calibratedOn } },
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const out = flag('out');
  if (out) writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
