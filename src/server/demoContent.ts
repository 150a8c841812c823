import type { PrismaClient } from '../db/database';
import { hashApiKey } from '../auth/apiKeys';
import { UserError } from '../errors';
import type { ModelKindName } from '../modelRegistry/modelBundle';
import type { ModelService } from '../modelRegistry/modelService';
import type { ProjectService } from '../projects/projectService';
import type { MeasureInput } from '../projects/promptSetInput';
import type { Logger } from './logger';

/**
 * What a fresh installation shows its admin: the bundled shapes models, registered, and a
 * project with the paper's colour x shape prompt set, so that a first QDGS run needs no set-up.
 * All of it in one place, to be tuned here.
 */
export const DEMO_CONTENT = {
  models: [
    { name: 'shapes-generator', kind: 'GENERATOR', path: 'shapes/generator' },
    { name: 'shapes-scorer', kind: 'SCORER', path: 'shapes/scorer' },
    { name: 'shapes-oracle', kind: 'CLASSIFIER', path: 'shapes/oracle' },
  ] as ReadonlyArray<{ name: string; kind: ModelKindName; path: string }>,
  project: {
    name: 'Shapes demo',
    description:
      'Quality-diversity generative sampling on the bundled shapes domain: shapes-generator is biased (98% of its images are red ' +
      'triangles or blue squares); a QDGS run over the "shapes" prompt set searches its latent space for a dataset that covers ' +
      'every colour x shape combination evenly, judged by shapes-scorer. shapes-oracle is an independent classifier for checking the result.',
  },
  promptSet: {
    name: 'shapes',
    objectivePositive: ['A regular square or a triangle.'],
    objectiveNegative: [] as string[],
    measures: [
      { name: 'colour', lowPrompt: 'A red shape.', highPrompt: 'A blue shape.', low: -0.9, high: 0.9, resolution: 50 },
      { name: 'shape', lowPrompt: 'A triangle with 3 edges.', highPrompt: 'A square or diamond with 4 edges.', low: -0.9, high: 0.9, resolution: 50 },
    ] as MeasureInput[],
  },
} as const;

export interface DemoContentServices {
  prisma: PrismaClient;
  projects: ProjectService;
  models: ModelService;
  logger: Logger;
}

export interface CreatedDemoContent {
  accountId: string;
  /** Names of the models registered (bundles missing from the models root are skipped). */
  models: string[];
  projectId?: string;
  promptSetId?: string;
}

/**
 * Creates the demo content for the account of `adminKey` (the key ensureAdminAccount returned on
 * the first start). A bundle the models root lacks, or that fails its check, is skipped with a
 * warning: a missing demo never stops the server from starting. A project of the same name that
 * already exists is left alone.
 */
export async function createDemoContent(services: DemoContentServices, adminKey: string): Promise<CreatedDemoContent> {
  const { prisma, projects, models, logger } = services;
  const key = await prisma.apiKey.findUnique({ where: { keyHash: hashApiKey(adminKey) }, select: { accountId: true } });
  if (!key) throw new Error('the admin key just created was not found');
  const accountId = key.accountId;
  const created: CreatedDemoContent = { accountId, models: [] };

  for (const model of DEMO_CONTENT.models) {
    try {
      await models.registerModel(accountId, model);
      created.models.push(model.name);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      logger.warn({ model: model.name, modelsDir: models.modelsRoot, reason: error.message }, 'demo model not registered (is the bundle under QDGS_MODELS_DIR?)');
    }
  }

  try {
    const project = await projects.createProject(accountId, DEMO_CONTENT.project);
    created.projectId = project.id;
    const { name, objectivePositive, objectiveNegative, measures } = DEMO_CONTENT.promptSet;
    const promptSet = await projects.createPromptSet(accountId, {
      projectId: project.id,
      name,
      objectivePositive: [...objectivePositive],
      objectiveNegative: [...objectiveNegative],
      measures: measures.map((measure) => ({ ...measure })),
    });
    created.promptSetId = promptSet.id;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    logger.warn({ project: DEMO_CONTENT.project.name, reason: error.message }, 'demo project not created');
  }
  logger.info(
    { models: created.models, project: created.projectId ? DEMO_CONTENT.project.name : null, promptSet: created.promptSetId ? DEMO_CONTENT.promptSet.name : null },
    'demo content created for the admin account',
  );
  return created;
}
