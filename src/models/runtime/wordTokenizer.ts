import fs from 'node:fs';
import path from 'node:path';
import { ModelError } from './modelErrors';
import { readBundleJson } from './modelPaths';

/**
 * A word-level tokenizer read from a Hugging Face `tokenizer.json` (+ `tokenizer_config.json`).
 *
 * Supported, on purpose a small subset of the format:
 * - model `WordLevel` (`vocab`, `unk_token`); `added_tokens` add ids for special tokens.
 *   Other models (BPE as in OpenAI's CLIP, WordPiece, Unigram) are TOKENIZER_INVALID.
 * - normalizers `Lowercase`, `Strip`, `StripAccents`, `NFC`/`NFD`/`NFKC`/`NFKD`, and a `Sequence` of them.
 * - pre-tokenizers `Whitespace` (`\w+|[^\w\s]+`), `WhitespaceSplit`, `Punctuation` (each
 *   punctuation character its own word, behaviour `Isolated`), and a `Sequence` of them.
 * - post-processors `TemplateProcessing` (the `single` template: special tokens around `$A`),
 *   `BertProcessing` and `RobertaProcessing` (`cls` ... `sep`): these give the bos/eos ids.
 * Added tokens typed inside the text are not matched as such (they go through the pipeline
 * like any word). The unknown token comes from the model's `unk_token` or, failing that,
 * tokenizer_config.json's; the padding token from tokenizer_config.json's `pad_token`, then
 * tokenizer.json's `padding.pad_id`, else id 0 (padded positions have attention mask 0).
 */

export interface TokenizedBatch {
  /** `batch` x `length` token ids, row-major, padded with the padding id. */
  readonly inputIds: BigInt64Array;
  /** 1 for real tokens, 0 for padding. */
  readonly attentionMask: BigInt64Array;
  readonly batch: number;
  readonly length: number;
  /** Words (after normalisation) that mapped to the unknown token, each once, in order of appearance. */
  readonly unknownWords: string[];
}

/** 'longest': pad to the longest text (capped); 'max_length': pad every batch to the cap (models with a fixed sequence length). */
export type PaddingStrategy = 'longest' | 'max_length';

export interface WordTokenizer {
  readonly vocabSize: number;
  readonly unkTokenId: number;
  readonly padTokenId: number;
  /** Ids put before / after each text's words by the post-processor. */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  /** tokenizer_config.json's `model_max_length`, when it sets a real limit. */
  readonly modelMaxLength: number | undefined;
  /** The words of one text after normalisation and pre-tokenisation. */
  words(text: string): string[];
  /**
   * Token ids of `texts`, truncated to `maxLength` (and `modelMaxLength`) tokens including the
   * special ones, and padded as `padding` says (default 'longest').
   */
  encode(texts: readonly string[], maxLength?: number, padding?: PaddingStrategy): TokenizedBatch;
}

type Normalizer = (text: string) => string;
type PreTokenizer = (pieces: string[]) => string[];

/** Rust regex `\w` (the Whitespace pre-tokenizer's classes) in JavaScript Unicode terms. */
const WORD_CLASS = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
const WHITESPACE_WORDS = new RegExp(`[${WORD_CLASS}]+|[^${WORD_CLASS}\\s]+`, 'gu');
/** Hugging Face's `is_punctuation`: ASCII punctuation (symbols included) or Unicode category P. */
const PUNCTUATION = /[!-/:-@[-`{-~]|\p{P}/u;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A token in tokenizer_config.json: a string or a serialised AddedToken `{ content }`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const content = asRecord(value)?.content;
  return typeof content === 'string' ? content : undefined;
}

class TokenizerFormat {
  constructor(readonly file: string) {}

  fail(detail: string): never {
    throw new ModelError('TOKENIZER_INVALID', this.file, detail);
  }

  normalizer(spec: unknown): Normalizer {
    if (spec === null || spec === undefined) return (text) => text;
    const record = asRecord(spec) ?? this.fail('expected "normalizer" to be an object or null');
    switch (record.type) {
      case 'Lowercase':
        return (text) => text.toLowerCase();
      case 'Strip':
        return (text) => text.trim();
      case 'StripAccents':
        return (text) => text.normalize('NFD').replace(/\p{Mn}/gu, '');
      case 'NFC':
      case 'NFD':
      case 'NFKC':
      case 'NFKD': {
        const form = record.type;
        return (text) => text.normalize(form);
      }
      case 'Sequence': {
        const steps = Array.isArray(record.normalizers) ? record.normalizers.map((s) => this.normalizer(s)) : this.fail('expected "normalizers" in the Sequence normalizer');
        return (text) => steps.reduce((current, step) => step(current), text);
      }
      default:
        return this.fail(`normalizer ${JSON.stringify(record.type)} is not supported (supported: Lowercase, Strip, StripAccents, NFC, NFD, NFKC, NFKD, Sequence)`);
    }
  }

  preTokenizer(spec: unknown): PreTokenizer {
    if (spec === null || spec === undefined) return (pieces) => pieces.flatMap((piece) => piece.split(/\s+/u).filter((w) => w.length > 0));
    const record = asRecord(spec) ?? this.fail('expected "pre_tokenizer" to be an object or null');
    switch (record.type) {
      case 'Whitespace':
        return (pieces) => pieces.flatMap((piece) => piece.match(WHITESPACE_WORDS) ?? []);
      case 'WhitespaceSplit':
        return (pieces) => pieces.flatMap((piece) => piece.split(/\s+/u).filter((w) => w.length > 0));
      case 'Punctuation':
        if (record.behavior !== undefined && record.behavior !== 'Isolated') {
          this.fail(`Punctuation pre-tokenizer behavior ${JSON.stringify(record.behavior)} is not supported (supported: Isolated)`);
        }
        return (pieces) => pieces.flatMap(splitPunctuation);
      case 'Sequence': {
        const steps = Array.isArray(record.pretokenizers) ? record.pretokenizers.map((s) => this.preTokenizer(s)) : this.fail('expected "pretokenizers" in the Sequence pre-tokenizer');
        return (pieces) => steps.reduce((current, step) => step(current), pieces);
      }
      default:
        return this.fail(`pre-tokenizer ${JSON.stringify(record.type)} is not supported (supported: Whitespace, WhitespaceSplit, Punctuation, Sequence)`);
    }
  }

  /** [prefix ids, suffix ids] around each text's words. */
  postProcessor(spec: unknown, idOf: (token: string) => number | undefined): [number[], number[]] {
    if (spec === null || spec === undefined) return [[], []];
    const record = asRecord(spec) ?? this.fail('expected "post_processor" to be an object or null');
    if (record.type === 'BertProcessing' || record.type === 'RobertaProcessing') {
      const pair = (key: string): number => {
        const value = record[key];
        if (!Array.isArray(value) || typeof value[1] !== 'number') return this.fail(`expected "${key}": [token, id] in the ${record.type} post-processor`);
        return value[1];
      };
      return [[pair('cls')], [pair('sep')]];
    }
    if (record.type !== 'TemplateProcessing') {
      return this.fail(`post-processor ${JSON.stringify(record.type)} is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing)`);
    }
    const single = Array.isArray(record.single) ? record.single : this.fail('expected a "single" template in the TemplateProcessing post-processor');
    const specialTokens = asRecord(record.special_tokens) ?? {};
    const prefix: number[] = [];
    const suffix: number[] = [];
    let seenSequence = false;
    for (const piece of single) {
      const item = asRecord(piece);
      if (asRecord(item?.Sequence)) {
        if (seenSequence) this.fail('the TemplateProcessing "single" template may hold one sequence ($A) only');
        seenSequence = true;
        continue;
      }
      const special = asRecord(item?.SpecialToken);
      const name = special?.id;
      if (typeof name !== 'string') return this.fail(`unexpected piece ${JSON.stringify(piece)} in the TemplateProcessing "single" template`);
      const declared = asRecord(specialTokens[name])?.ids;
      const ids = Array.isArray(declared) && declared.every((id) => typeof id === 'number') ? (declared as number[]) : [idOf(name) ?? this.fail(`special token ${JSON.stringify(name)} of the template has no id`)];
      (seenSequence ? suffix : prefix).push(...ids);
    }
    if (!seenSequence) this.fail('the TemplateProcessing "single" template has no sequence ($A)');
    return [prefix, suffix];
  }
}

function splitPunctuation(piece: string): string[] {
  const words: string[] = [];
  let current = '';
  for (const char of piece) {
    if (PUNCTUATION.test(char)) {
      if (current.length > 0) words.push(current);
      words.push(char);
      current = '';
    } else {
      current += char;
    }
  }
  if (current.length > 0) words.push(current);
  return words;
}

/** Loads `tokenizer.json` and `tokenizer_config.json` (optional) from a bundle directory. */
export function loadTokenizer(dir: string): WordTokenizer {
  const tokenizerFile = path.join(dir, 'tokenizer.json');
  const configFile = path.join(dir, 'tokenizer_config.json');
  const json = readBundleJson(tokenizerFile, { missing: 'TOKENIZER_INVALID', invalid: 'TOKENIZER_INVALID' });
  const config = readOptionalConfig(configFile);
  const format: TokenizerFormat = new TokenizerFormat(tokenizerFile);

  const model = asRecord(json.model) ?? format.fail('expected a "model" object');
  if (model.type !== 'WordLevel') {
    format.fail(`expected a WordLevel model, got ${JSON.stringify(model.type)} (BPE, WordPiece and Unigram tokenizers are not supported)`);
  }
  const vocabRecord = asRecord(model.vocab) ?? format.fail('expected the WordLevel model to hold a "vocab" object');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(vocabRecord)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) format.fail(`expected vocab id of ${JSON.stringify(token)} to be a non-negative integer, got ${JSON.stringify(id)}`);
    vocab.set(token, id);
  }
  const added = new Map<string, number>();
  for (const token of Array.isArray(json.added_tokens) ? json.added_tokens : []) {
    const record = asRecord(token);
    if (typeof record?.content === 'string' && typeof record.id === 'number') added.set(record.content, record.id);
  }
  const idOf = (token: string): number | undefined => vocab.get(token) ?? added.get(token);

  const unkToken = (typeof model.unk_token === 'string' && model.unk_token.length > 0 ? model.unk_token : undefined) ?? tokenText(config.unk_token);
  if (unkToken === undefined) {
    throw new ModelError('TOKENIZER_INVALID', configFile, 'expected "unk_token" (here or in tokenizer.json\'s model): words outside the vocabulary map to it');
  }
  const unkTokenId = idOf(unkToken) ?? format.fail(`unk_token ${JSON.stringify(unkToken)} is not in the vocabulary`);
  const padToken = tokenText(config.pad_token);
  const padding = asRecord(json.padding);
  const padTokenId = (padToken !== undefined ? idOf(padToken) : undefined) ?? (typeof padding?.pad_id === 'number' ? padding.pad_id : 0);

  const normalize = format.normalizer(json.normalizer);
  const preTokenize = format.preTokenizer(json.pre_tokenizer);
  const [prefixIds, suffixIds] = format.postProcessor(json.post_processor, idOf);
  const declaredMax = config.model_max_length;
  const modelMaxLength = typeof declaredMax === 'number' && Number.isInteger(declaredMax) && declaredMax > 0 && declaredMax < 1e9 ? declaredMax : undefined;
  const specialCount = prefixIds.length + suffixIds.length;
  let vocabSize = 0;
  for (const id of [...vocab.values(), ...added.values()]) vocabSize = Math.max(vocabSize, id + 1);

  const words = (text: string): string[] => preTokenize([normalize(text)]);

  const encode = (texts: readonly string[], maxLength?: number, paddingStrategy: PaddingStrategy = 'longest'): TokenizedBatch => {
    const limit = Math.min(maxLength ?? Infinity, modelMaxLength ?? Infinity);
    if (limit !== Infinity && !(Number.isInteger(limit) && limit > specialCount)) {
      throw new RangeError(`maxLength must be an integer above the ${specialCount} special tokens, got ${limit}`);
    }
    if (paddingStrategy === 'max_length' && limit === Infinity) throw new RangeError("padding 'max_length' needs maxLength or model_max_length");
    const unknown = new Set<string>();
    const rows = texts.map((text) => {
      const ids = words(text).map((word) => {
        const id = vocab.get(word);
        if (id !== undefined) return id;
        unknown.add(word);
        return unkTokenId;
      });
      const kept = limit === Infinity ? ids : ids.slice(0, limit - specialCount);
      return [...prefixIds, ...kept, ...suffixIds];
    });
    const longest = rows.reduce((max, row) => Math.max(max, row.length), 1);
    const length = paddingStrategy === 'max_length' ? limit : longest;
    const inputIds = new BigInt64Array(texts.length * length).fill(BigInt(padTokenId));
    const attentionMask = new BigInt64Array(texts.length * length);
    rows.forEach((row, r) => {
      for (let t = 0; t < row.length; t++) {
        inputIds[r * length + t] = BigInt(row[t]);
        attentionMask[r * length + t] = 1n;
      }
    });
    return { inputIds, attentionMask, batch: texts.length, length, unknownWords: [...unknown] };
  };

  return { vocabSize, unkTokenId, padTokenId, prefixIds, suffixIds, modelMaxLength, words, encode };
}

/** tokenizer_config.json is optional; a present but broken one is still an error. */
function readOptionalConfig(file: string): Record<string, unknown> {
  return fs.existsSync(file) ? readBundleJson(file, { missing: 'TOKENIZER_INVALID', invalid: 'TOKENIZER_INVALID' }) : {};
}
