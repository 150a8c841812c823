import type { GeneratorReference } from '../runs/generativeRunConfig';
import type { RunConfig } from '../runs/runConfig';

/**
 * Which runs have images and where the HTTP API serves them. Only generative runs
 * (`domain: "generative"`) have a generator that turns a sample's latent into an image.
 */

/** The run's generator when it is a generative run; undefined for benchmark domains such as sphere. */
export function generatorOfRun(config: RunConfig): GeneratorReference | undefined {
  return (config.domain as string) === 'generative' ? config.generative?.generator : undefined;
}

/** Relative URL of a sample's PNG (GET with the same Authorization header as /graphql). */
export function sampleImagePath(runId: string, sampleId: number | string): string {
  return `/images/runs/${encodeURIComponent(runId)}/samples/${encodeURIComponent(String(sampleId))}.png`;
}

/** Relative URL of the PNG contact sheet of a run's archive. */
export function contactSheetPath(runId: string): string {
  return `/images/runs/${encodeURIComponent(runId)}/archive.png`;
}
