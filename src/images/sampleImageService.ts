import { createHash } from 'node:crypto';
import type { Database } from '../db/database';
import { InputError, NotFoundError, UserError } from '../errors';
import { requireUuid } from '../ids';
import { bundleSha256 } from '../modelRegistry/modelBundle';
import { loadGenerator, type Generator } from '../models/runtime/generator';
import { ModelError } from '../models/runtime/modelErrors';
import { resolveModelDir } from '../models/runtime/modelPaths';
import type { RuntimeOptions } from '../models/runtime/onnxSession';
import { archiveFingerprint, eliteLatents, sampleOfRun } from '../runs/datasetQueries';
import type { GeneratorReference } from '../runs/generativeRunConfig';
import type { RunConfig } from '../runs/runConfig';
import { contactSheetLayout, createContactSheet, drawCell, largestCellSize, MAX_SHEET_SIDE } from './contactSheet';
import { GeneratorCache } from './generatorCache';
import { generatorOfRun } from './imagePaths';
import { LruCache } from './lruCache';
import { RgbCanvas } from './pngEncoding';

/**
 * PNG images of a generative run's samples (rendered from their latents by the run's generator)
 * and contact sheets of its archive, on behalf of an account. Generator sessions are kept per
 * bundle, rendered PNGs in LRU caches bounded by bytes.
 *
 * A sample's latent is replaced in place when a better elite is found for its cell while the run
 * is going, so cache keys and ETags are digests of the latent (and of the archive's content for
 * sheets), never ids alone.
 */

export interface SampleImageServiceOptions {
  /** Generator bundle paths in run configs are relative to this folder. */
  modelsRoot: string;
  /** onnxruntime options for generator sessions; default CPU, one intra-op thread. */
  runtime?: RuntimeOptions;
  /** Generator sessions kept loaded (default 4). */
  maxGenerators?: number;
  /** Bytes of sample PNGs kept (default 32 MiB). */
  sampleCacheBytes?: number;
  /** Bytes of contact sheet PNGs kept (default 64 MiB). */
  sheetCacheBytes?: number;
  /** How a bundle is loaded (default loadGenerator). */
  loadGenerator?: (dir: string, options: RuntimeOptions) => Promise<Generator>;
}

export interface ContactSheetOptions {
  /** Pixels per cell side, 1..256; default the generator's image size (shrunk when the sheet would exceed 8192 pixels). */
  cellSize?: number;
  /** One-pixel grey lines between cells (default true). */
  gridLines?: boolean;
}

/** An image whose identity is known before it is rendered, so a client's cached copy can be confirmed (304) without rendering. */
export interface RenderableImage {
  /** A strong ETag, quotes included. */
  etag: string;
  /** True once the run has finished: the image can no longer change. */
  final: boolean;
  render(): Promise<Buffer>;
}

export const MAX_CELL_SIZE = 256;
const FINAL_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
/** Elites per database page and per generator call while drawing a contact sheet. */
const SHEET_CHUNK = 256;

interface GenerativeRun {
  id: string;
  final: boolean;
  config: RunConfig;
  generator: GeneratorReference;
}

export class SampleImageService {
  private readonly generators: GeneratorCache;
  private readonly samplePngs: LruCache<string, Buffer>;
  private readonly sheetPngs: LruCache<string, Buffer>;
  /** Renders in progress by cache key: concurrent requests for the same image share one. */
  private readonly rendering = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly database: Database,
    private readonly options: SampleImageServiceOptions,
  ) {
    const runtime: RuntimeOptions = { device: 'cpu', intraOpNumThreads: 1, ...options.runtime };
    const load = options.loadGenerator ?? loadGenerator;
    this.generators = new GeneratorCache(async ({ dir, sha256 }) => {
      if (sha256 !== undefined) await requireRegisteredFiles(dir, sha256);
      return load(dir, runtime);
    }, options.maxGenerators ?? 4);
    this.samplePngs = new LruCache(options.sampleCacheBytes ?? 32 * 1024 * 1024, (png) => png.byteLength);
    this.sheetPngs = new LruCache(options.sheetCacheBytes ?? 64 * 1024 * 1024, (png) => png.byteLength);
  }

  /** The PNG of one sample of the account's generative run, at the generator's image size. */
  async renderSample(accountId: string, runId: string, sampleId: number | string): Promise<Buffer> {
    return (await this.sampleImage(accountId, runId, sampleId)).render();
  }

  /** The archive laid out on its measure grid (see contactSheet.ts) as a PNG. */
  async renderContactSheet(accountId: string, runId: string, options: ContactSheetOptions = {}): Promise<Buffer> {
    return (await this.contactSheet(accountId, runId, options)).render();
  }

  /** Checks access and finds the sample; renders only when `render()` is called. */
  async sampleImage(accountId: string, runId: string, sampleId: number | string): Promise<RenderableImage> {
    const id = requireSampleId(sampleId);
    const run = await this.generativeRun(accountId, runId);
    const sample = await sampleOfRun(this.database.pool, run.id, id);
    if (!sample) throw new NotFoundError('Sample', String(sampleId));
    const latent = Buffer.from(sample.latent.buffer, sample.latent.byteOffset, sample.latent.byteLength);
    const digest = createHash('sha256').update(generatorIdentity(run.generator)).update(latent).digest('base64url').slice(0, 22);
    const key = `${id}:${digest}`;
    return {
      etag: `"s${id}-${digest}"`,
      final: run.final,
      render: () =>
        this.cached(this.samplePngs, key, () =>
          this.withGenerator(run.generator, async (generator) => {
            const z = decodeLatent(latent, generator.latentDim, `sample ${id}`);
            const [height, width] = generator.imageSize;
            const images = await generator.generate(z, 1);
            const canvas = new RgbCanvas(width, height, 0);
            canvas.drawImage({ data: images, offset: 0, height, width, layout: 'nchw' }, 0, 0);
            return canvas.encodePng();
          }),
        ),
    };
  }

  /** Checks access, the number of measures and the size; renders only when `render()` is called. */
  async contactSheet(accountId: string, runId: string, options: ContactSheetOptions = {}): Promise<RenderableImage> {
    const run = await this.generativeRun(accountId, runId);
    const dims = run.config.dims;
    if (dims.length < 1 || dims.length > 2) {
      throw new UserError(
        'BAD_USER_INPUT',
        `Contact sheets need 1 or 2 measures; run ${run.id} has ${dims.length}. Read its cells through GraphQL (Run.archive.cells) and each elite's Sample.imageUrl instead.`,
        'runId',
      );
    }
    const separator = options.gridLines === false ? 0 : 1;
    const largest = Math.min(MAX_CELL_SIZE, largestCellSize(dims, separator));
    let cellSize: number;
    if (options.cellSize === undefined) {
      cellSize = Math.min(largest, Math.max(...run.generator.imageSize));
      if (cellSize < 1) throw new UserError('BAD_USER_INPUT', `Run ${run.id}'s archive of ${dims.join(' x ')} cells is too large for a contact sheet of at most ${MAX_SHEET_SIDE} pixels a side`, 'runId');
    } else {
      cellSize = options.cellSize;
      if (!Number.isInteger(cellSize) || cellSize < 1 || cellSize > largest) {
        throw new InputError('cellSize', `must be an integer from 1 to ${largest} for an archive of ${dims.join(' x ')} cells (sheets are at most ${MAX_SHEET_SIDE} pixels a side); got ${cellSize}`);
      }
    }
    const fingerprint = await archiveFingerprint(this.database.pool, run.id);
    const digest = createHash('sha256').update(`${generatorIdentity(run.generator)}|${dims.join('x')}|${fingerprint}|${cellSize}|${separator}`).digest('base64url').slice(0, 22);
    const key = `${run.id}:${digest}`;
    return {
      etag: `"a-${digest}"`,
      final: run.final,
      render: () => this.cached(this.sheetPngs, key, () => this.drawSheet(run, contactSheetLayout(dims, cellSize, separator))),
    };
  }

  /** Releases every generator session and forgets the cached images. */
  async close(): Promise<void> {
    await this.generators.close();
    this.samplePngs.clear();
    this.sheetPngs.clear();
  }

  private async drawSheet(run: GenerativeRun, layout: ReturnType<typeof contactSheetLayout>): Promise<Buffer> {
    return this.withGenerator(run.generator, async (generator) => {
      const canvas = createContactSheet(layout);
      const [height, width] = generator.imageSize;
      const imageValues = 3 * height * width;
      const latentDim = generator.latentDim;
      let afterIndex = -1;
      for (;;) {
        const rows = await eliteLatents(this.database.pool, run.id, afterIndex, SHEET_CHUNK);
        if (rows.length === 0) break;
        const z = new Float32Array(rows.length * latentDim);
        rows.forEach((row, i) => z.set(decodeLatent(row.latent, latentDim, `the elite of cell ${row.index}`), i * latentDim));
        const images = await generator.generate(z, rows.length);
        rows.forEach((row, i) => drawCell(canvas, layout, row.coordinates, { data: images, offset: i * imageValues, height, width, layout: 'nchw' }));
        afterIndex = rows[rows.length - 1].index;
        if (rows.length < SHEET_CHUNK) break;
      }
      return canvas.encodePng();
    });
  }

  /** The account's run, which must be generative. */
  private async generativeRun(accountId: string, runId: string): Promise<GenerativeRun> {
    const run = await this.database.prisma.run.findFirst({ where: { id: requireUuid('runId', runId), project: { accountId } }, select: { id: true, status: true, config: true } });
    if (!run) throw new NotFoundError('Run', runId);
    const config = run.config as unknown as RunConfig;
    const generator = generatorOfRun(config);
    if (!generator) {
      throw new UserError('BAD_USER_INPUT', `Run ${run.id} is a "${config.domain}" run; only generative runs (domain "generative") have images`, 'runId');
    }
    return { id: run.id, final: FINAL_STATUSES.has(run.status), config, generator };
  }

  private withGenerator<T>(reference: GeneratorReference, work: (generator: Generator) => Promise<T>): Promise<T> {
    const dir = resolveModelDir(this.options.modelsRoot, reference.path);
    return this.generators.use({ dir, sha256: reference.sha256 }, work);
  }

  private async cached(cache: LruCache<string, Buffer>, key: string, render: () => Promise<Buffer>): Promise<Buffer> {
    const hit = cache.get(key);
    if (hit) return hit;
    let pending = this.rendering.get(key);
    if (!pending) {
      pending = render()
        .then((png) => {
          cache.set(key, png);
          return png;
        })
        .finally(() => this.rendering.delete(key));
      this.rendering.set(key, pending);
    }
    return pending;
  }
}

/** Sample ids are positive integers (bigint in the database, below 2^53 in practice). */
function requireSampleId(value: number | string): number {
  const id = typeof value === 'number' ? value : /^[0-9]{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new InputError('sampleId', `must be a positive integer; got "${String(value).slice(0, 64)}"`);
  return id;
}

/** Images must come from the generator the run used: a bundle whose files changed since registration is refused, as the run worker refuses it. */
async function requireRegisteredFiles(dir: string, sha256: string): Promise<void> {
  const actual = await bundleSha256(dir);
  if (actual !== sha256) throw new ModelError('MODEL_INVALID', dir, `the generator's files changed since it was registered (sha256 ${actual}, registered ${sha256})`);
}

/** What decides a generator's output for a latent: its bundle and the bundle's registered content. */
function generatorIdentity(reference: GeneratorReference): string {
  return `${reference.path}|${reference.sha256}`;
}

function decodeLatent(bytes: Uint8Array, latentDim: number, what: string): Float32Array {
  if (bytes.byteLength !== latentDim * 4) throw new Error(`${what} has a latent of ${bytes.byteLength / 4} values; the run's generator takes ${latentDim}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const z = new Float32Array(latentDim);
  for (let i = 0; i < latentDim; i++) z[i] = view.getFloat32(i * 4, true);
  return z;
}
