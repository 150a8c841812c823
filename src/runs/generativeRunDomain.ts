import { bundleSha256 } from '../modelRegistry/modelBundle';
import { bestPriorLatent, createGradientEstimator, embedPrompts, GenerativeDomain, QdgsObjective } from '../models/qdgs';
import { loadGenerator, loadScorer, ModelError, resolveModelDir, type Generator, type Scorer } from '../models/runtime';
import type { ModelReference } from './generativeRunConfig';
import type { RunConfig } from './runConfig';
import type { OpenedRunDomain } from './runDomain';

async function verifiedBundleDir(modelsDir: string, model: ModelReference): Promise<string> {
  const dir = resolveModelDir(modelsDir, model.path);
  const sha256 = await bundleSha256(dir);
  if (sha256 !== model.sha256) {
    throw new ModelError('MODEL_INVALID', dir, `the files of model "${model.name}" changed since it was registered (sha256 ${sha256}, registered ${model.sha256}); register it again under a new name`);
  }
  return dir;
}

/**
 * Loads a generative run's generator and scorer (checking they are the registered files),
 * embeds its prompts once and builds the latent-space domain with its gradient estimator.
 */
export async function openGenerativeRunDomain(config: RunConfig, modelsDir: string): Promise<OpenedRunDomain> {
  const settings = config.generative;
  if (!settings) throw new Error('a generative run config lacks its "generative" settings');
  const runtime = { device: settings.device, maxBatch: settings.maxBatch };
  let generator: Generator | undefined;
  let scorer: Scorer | undefined;
  try {
    generator = await loadGenerator(await verifiedBundleDir(modelsDir, settings.generator), runtime);
    scorer = await loadScorer(await verifiedBundleDir(modelsDir, settings.scorer), runtime);
    const prompts = await embedPrompts(scorer, settings.prompts);
    const objective = new QdgsObjective(prompts, settings.objective);
    const gradients = createGradientEstimator(settings.gradient, { latentDim: generator.latentDim, step: settings.gradientStep, samples: settings.gradientSamples, seed: config.seed });
    const domain = new GenerativeDomain(generator, scorer, objective, gradients);
    const loaded = { generator, scorer };
    const fallback = generator.fallbackReason ?? scorer.fallbackReason;
    return {
      domain,
      executionProvider: generator.provider === 'cuda' && scorer.provider === 'cuda' ? 'cuda' : 'cpu',
      ...(fallback === undefined ? {} : { deviceNote: `GPU requested but the models ran on the CPU: ${fallback}` }),
      initialSolution: async () => (settings.initialSamples > 0 ? bestPriorLatent(domain, settings.initialSamples, settings.priorSigma, config.seed) : undefined),
      evaluationsAt: (scheduler, iteration) =>
        settings.initialSamples + iteration * (scheduler.batchSize + domain.evaluationsFor(scheduler.dqdBatchSize, true)),
      modelSeconds: () => domain.modelSeconds,
      resumeAt: (iteration) => {
        domain.gradientCalls = iteration;
      },
      dispose: async () => {
        await loaded.generator.dispose();
        await loaded.scorer.dispose();
      },
    };
  } catch (error) {
    await generator?.dispose();
    await scorer?.dispose();
    throw error;
  }
}
