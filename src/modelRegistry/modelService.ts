import fs from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../db/database';
import { Prisma } from '../db/generated/client';
import type { Model } from '../db/generated/client';
import { ConflictError, InputError, NotFoundError } from '../errors';
import { requireUuid } from '../ids';
import { ModelError, resolveModelDir, type RuntimeOptions } from '../models/runtime';
import { pageOf, type Page, type PageOf } from '../projects/projectService';
import { requireName } from '../projects/promptSetInput';
import { bundleSha256, MODEL_KINDS, validateModelBundle, type ModelKindName } from './modelBundle';

export interface RegisterModelInput {
  name: string;
  kind: ModelKindName;
  /** The bundle directory, relative to the models root. */
  path: string;
}

/** Longest accepted bundle path (characters). */
const MAX_PATH_LENGTH = 1000;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * Registered model bundles of an account. A bundle is stored only after it loaded and ran a test
 * batch (validateModelBundle), with the sha256 of its files; its path is kept relative to the
 * models root (the only place bundles are opened from). A model of another account is reported
 * exactly like a missing one (NOT_FOUND).
 */
export class ModelService {
  constructor(
    private readonly prisma: PrismaClient,
    /** The models root: every bundle path is resolved inside it (QDGS_MODELS_DIR). */
    readonly modelsRoot: string,
    private readonly runtimeOptions: RuntimeOptions = {},
  ) {}

  /**
   * Validates the input, loads the bundle and runs its test batch, hashes it and stores it.
   * Nothing is written unless all of that succeeds. A bundle problem is BAD_USER_INPUT on
   * `input.path`, e.g. "input.path MODEL_NOT_FOUND: shapes/scorer/generator.json: expected this file ...".
   */
  async registerModel(accountId: string, input: RegisterModelInput): Promise<Model> {
    const name = requireName('input.name', input.name);
    if (!(MODEL_KINDS as readonly string[]).includes(input.kind)) {
      throw new InputError('input.kind', `must be one of ${MODEL_KINDS.join(', ')}; got ${JSON.stringify(input.kind)}`);
    }
    const requested = requireName('input.path', input.path, MAX_PATH_LENGTH);
    if (await this.prisma.model.findFirst({ where: { accountId, name }, select: { id: true } })) throw this.duplicate(name);

    let dir: string;
    let details: object;
    let sha256: string;
    try {
      dir = resolveModelDir(this.modelsRoot, requested);
      details = await validateModelBundle(input.kind, dir, this.runtimeOptions);
      sha256 = await bundleSha256(dir);
    } catch (error) {
      if (error instanceof ModelError) throw new InputError('input.path', `${error.code}: ${this.describe(error)}`);
      throw error;
    }
    try {
      return await this.prisma.model.create({ data: { accountId, name, kind: input.kind, path: this.relativePath(dir), sha256, details } });
    } catch (error) {
      if (isUniqueViolation(error)) throw this.duplicate(name);
      throw error;
    }
  }

  /** The account's models, oldest first, optionally of one kind. */
  async listModels(accountId: string, options: Page & { kind?: ModelKindName | null }): Promise<PageOf<Model>> {
    const rows = await this.prisma.model.findMany({
      where: { accountId, ...(options.kind ? { kind: options.kind } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: options.first + 1,
      ...(options.after ? { cursor: { id: requireUuid('after', options.after) }, skip: 1 } : {}),
    });
    return pageOf(rows, options.first);
  }

  async getModel(accountId: string, id: string, field = 'id'): Promise<Model> {
    const model = await this.prisma.model.findFirst({ where: { id: requireUuid(field, id), accountId } });
    if (!model) throw new NotFoundError('Model', id);
    return model;
  }

  private duplicate(name: string): ConflictError {
    return new ConflictError(`A model named "${name}" already exists`, 'input.name');
  }

  private realRoot(): string {
    try {
      return fs.realpathSync(this.modelsRoot);
    } catch {
      return path.resolve(this.modelsRoot);
    }
  }

  /** `dir` (a real path inside the root) relative to the models root, with '/' separators; '.' for the root itself. */
  private relativePath(dir: string): string {
    return path.relative(this.realRoot(), dir).split(path.sep).join('/') || '.';
  }

  /** The error's message with file paths inside the models root shown relative to it: clients never see server paths. */
  private describe(error: ModelError): string {
    const root = this.realRoot();
    const file = path.isAbsolute(error.file) ? path.relative(root, error.file) : error.file;
    const shown = path.isAbsolute(error.file) && (file.startsWith('..') || path.isAbsolute(file)) ? path.basename(error.file) : file.split(path.sep).join('/');
    let detail = error.detail;
    for (const prefix of new Set([root, path.resolve(this.modelsRoot)])) detail = detail.split(prefix + path.sep).join('');
    return `${shown || '.'}: ${detail}`;
  }
}
