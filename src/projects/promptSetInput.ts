import { InputError } from '../errors';

export interface MeasureInput {
  name: string;
  lowPrompt: string;
  highPrompt: string;
  low: number;
  high: number;
  resolution: number;
}

export interface PromptSetInput {
  projectId: string;
  name: string;
  objectivePositive: string[];
  objectiveNegative?: string[] | null;
  measures: MeasureInput[];
}

export const PROMPT_LIMITS = {
  nameLength: 200,
  promptLength: 1000,
  phrasesPerPrompt: 16,
  prompts: 32,
  measures: 8,
  resolution: [1, 1000],
} as const;

export function requireName(field: string, value: string, maxLength: number = PROMPT_LIMITS.nameLength): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new InputError(field, 'must not be empty');
  if (trimmed.length > maxLength) throw new InputError(field, `must be at most ${maxLength} characters; got ${trimmed.length}`);
  return trimmed;
}

/** A prompt may hold several phrases separated by "|"; none of them may be empty. */
export function requirePrompt(field: string, value: string): string {
  const prompt = requireName(field, value, PROMPT_LIMITS.promptLength);
  const phrases = prompt.split('|');
  if (phrases.length > PROMPT_LIMITS.phrasesPerPrompt) throw new InputError(field, `must hold at most ${PROMPT_LIMITS.phrasesPerPrompt} phrases separated by "|"; got ${phrases.length}`);
  if (phrases.some((phrase) => phrase.trim().length === 0)) throw new InputError(field, 'has an empty phrase between "|" separators');
  return phrases.map((phrase) => phrase.trim()).join(' | ');
}

function requirePrompts(field: string, values: string[], min: number): string[] {
  if (values.length < min) throw new InputError(field, `must hold at least ${min} prompt${min === 1 ? '' : 's'}`);
  if (values.length > PROMPT_LIMITS.prompts) throw new InputError(field, `must hold at most ${PROMPT_LIMITS.prompts} prompts; got ${values.length}`);
  return values.map((value, i) => requirePrompt(`${field}[${i}]`, value));
}

/** Checks every field of a prompt set and returns it normalised (trimmed); throws InputError naming the field. */
export function validatePromptSetInput(input: PromptSetInput): Omit<Required<PromptSetInput>, 'objectiveNegative'> & { objectiveNegative: string[] } {
  const name = requireName('input.name', input.name);
  const objectivePositive = requirePrompts('input.objectivePositive', input.objectivePositive, 1);
  const objectiveNegative = requirePrompts('input.objectiveNegative', input.objectiveNegative ?? [], 0);
  if (input.measures.length === 0) throw new InputError('input.measures', 'must hold at least one measure');
  if (input.measures.length > PROMPT_LIMITS.measures) throw new InputError('input.measures', `must hold at most ${PROMPT_LIMITS.measures} measures; got ${input.measures.length}`);
  const names = new Set<string>();
  const measures = input.measures.map((measure, i) => {
    const field = `input.measures[${i}]`;
    const measureName = requireName(`${field}.name`, measure.name);
    if (names.has(measureName)) throw new InputError(`${field}.name`, `repeats the measure name "${measureName}"`);
    names.add(measureName);
    if (!Number.isFinite(measure.low)) throw new InputError(`${field}.low`, `must be a finite number; got ${measure.low}`);
    if (!Number.isFinite(measure.high)) throw new InputError(`${field}.high`, `must be a finite number; got ${measure.high}`);
    if (!(measure.low < measure.high)) throw new InputError(`${field}.low`, `must be below high (${measure.high}); got ${measure.low}`);
    const [min, max] = PROMPT_LIMITS.resolution;
    if (!Number.isInteger(measure.resolution) || measure.resolution < min || measure.resolution > max) {
      throw new InputError(`${field}.resolution`, `must be an integer from ${min} to ${max}; got ${measure.resolution}`);
    }
    return {
      name: measureName,
      lowPrompt: requirePrompt(`${field}.lowPrompt`, measure.lowPrompt),
      highPrompt: requirePrompt(`${field}.highPrompt`, measure.highPrompt),
      low: measure.low,
      high: measure.high,
      resolution: measure.resolution,
    };
  });
  return { projectId: input.projectId, name, objectivePositive, objectiveNegative, measures };
}
