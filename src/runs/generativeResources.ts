import type { Model, PrismaClient } from '../db/generated/client';
import { InputError, NotFoundError } from '../errors';
import type { ModelService } from '../modelRegistry/modelService';
import { splitPhrases } from '../models/qdgs/promptEmbeddings';
import { loadTokenizer, ModelError, resolveModelDir } from '../models/runtime';
import type { GeneratorReference, ModelReference } from './generativeRunConfig';
import type { GenerativeRequest, GenerativeResources } from './generativeRunRequest';

function referenceOf(model: Model): ModelReference {
  return { modelId: model.id, name: model.name, path: model.path, sha256: model.sha256 };
}

async function modelOfKind(models: ModelService, accountId: string, id: string | null | undefined, field: string, kind: 'GENERATOR' | 'SCORER'): Promise<Model> {
  if (id == null) throw new InputError(field, `is required for generative runs (the id of a registered ${kind} model)`);
  const model = await models.getModel(accountId, id, field);
  if (model.kind !== kind) throw new InputError(field, `must name a ${kind} model; "${model.name}" is a ${model.kind}`);
  return model;
}

/**
 * Looks up what a generative run needs on behalf of an account: its generator and scorer
 * (registered models of the right kinds) and the prompt set (in the run's project), and checks
 * that the scorer's vocabulary knows every word of the prompts, since an unknown word would
 * silently become the tokenizer's unknown token.
 */
export async function lookupGenerativeResources(
  prisma: PrismaClient,
  models: ModelService,
  accountId: string,
  projectId: string,
  request: GenerativeRequest & { promptSetId?: string | null },
): Promise<GenerativeResources> {
  const generator = await modelOfKind(models, accountId, request.generatorId, 'input.generatorId', 'GENERATOR');
  const scorer = await modelOfKind(models, accountId, request.scorerId, 'input.scorerId', 'SCORER');
  if (request.promptSetId == null) throw new InputError('input.promptSetId', 'is required for generative runs: its prompts define the objective and the measures');
  const promptSet = await prisma.promptSet.findFirst({
    where: { id: request.promptSetId, project: { accountId } },
    include: { measures: { orderBy: { position: 'asc' } } },
  });
  if (!promptSet || promptSet.projectId !== projectId) throw new NotFoundError('PromptSet', request.promptSetId);
  checkVocabulary(models.modelsRoot, scorer, [
    ...promptSet.objectivePositive.map((text, i) => ({ where: `objectivePositive[${i}]`, text })),
    ...promptSet.objectiveNegative.map((text, i) => ({ where: `objectiveNegative[${i}]`, text })),
    ...promptSet.measures.flatMap((m) => [
      { where: `measure "${m.name}" lowPrompt`, text: m.lowPrompt },
      { where: `measure "${m.name}" highPrompt`, text: m.highPrompt },
    ]),
  ]);
  const details = generator.details as { latentDim?: number; imageSize?: [number, number] };
  if (!details.latentDim || !details.imageSize) throw new InputError('input.generatorId', `model "${generator.name}" has no latentDim/imageSize on record; register it again`);
  const generatorReference: GeneratorReference = { ...referenceOf(generator), latentDim: details.latentDim, imageSize: details.imageSize };
  return {
    generator: generatorReference,
    scorer: referenceOf(scorer),
    promptSet: {
      objectivePositive: promptSet.objectivePositive,
      objectiveNegative: promptSet.objectiveNegative,
      measures: promptSet.measures.map(({ name, lowPrompt, highPrompt, low, high, resolution }) => ({ name, lowPrompt, highPrompt, low, high, resolution })),
    },
  };
}

function checkVocabulary(modelsRoot: string, scorer: Model, prompts: Array<{ where: string; text: string }>): void {
  let tokenizer;
  try {
    tokenizer = loadTokenizer(resolveModelDir(modelsRoot, scorer.path));
  } catch (error) {
    if (error instanceof ModelError) throw new InputError('input.scorerId', `model "${scorer.name}" cannot be loaded any more: ${error.message}`);
    throw error;
  }
  for (const prompt of prompts) {
    const { unknownWords } = tokenizer.encode(splitPhrases(prompt.text));
    if (unknownWords.length > 0) {
      throw new InputError('input.promptSetId', `uses words the scorer "${scorer.name}" does not know (${unknownWords.map((w) => `"${w}"`).join(', ')} in ${prompt.where}); rephrase with words of its vocabulary`);
    }
  }
}
