import type { PrismaClient } from '../db/database';
import { Prisma } from '../db/generated/client';
import type { Project, PromptSet, Measure } from '../db/generated/client';
import { ConflictError, NotFoundError } from '../errors';
import { requireUuid } from '../ids';
import { requireName, validatePromptSetInput, type PromptSetInput } from './promptSetInput';

export interface Page {
  /** Rows to return; the service fetches one more to tell whether there is a next page. */
  first: number;
  /** Keyset position after which the page starts (an id). */
  after?: string;
}

export interface PageOf<T> {
  rows: T[];
  hasNextPage: boolean;
}

export function pageOf<T>(rows: T[], first: number): PageOf<T> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * Projects and their prompt sets, always seen through an account: a project of another account
 * is reported exactly like a missing one (NOT_FOUND), so ids cannot be probed.
 */
export class ProjectService {
  constructor(private readonly prisma: PrismaClient) {}

  async createProject(accountId: string, input: { name: string; description?: string | null }): Promise<Project> {
    const name = requireName('input.name', input.name);
    const description = input.description == null ? null : requireName('input.description', input.description, 10_000);
    try {
      return await this.prisma.project.create({ data: { accountId, name, description } });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A project named "${name}" already exists`, 'input.name');
      throw error;
    }
  }

  async listProjects(accountId: string, page: Page): Promise<PageOf<Project>> {
    const rows = await this.prisma.project.findMany({
      where: { accountId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.first + 1,
      ...(page.after ? { cursor: { id: requireUuid('after', page.after) }, skip: 1 } : {}),
    });
    return pageOf(rows, page.first);
  }

  async getProject(accountId: string, id: string, field = 'id'): Promise<Project> {
    const project = await this.prisma.project.findFirst({ where: { id: requireUuid(field, id), accountId } });
    if (!project) throw new NotFoundError('Project', id);
    return project;
  }

  async createPromptSet(accountId: string, input: PromptSetInput): Promise<PromptSet & { measures: Measure[] }> {
    const valid = validatePromptSetInput(input);
    await this.getProject(accountId, input.projectId, 'input.projectId');
    try {
      const created = await this.prisma.promptSet.create({
        data: {
          projectId: valid.projectId,
          name: valid.name,
          objectivePositive: valid.objectivePositive,
          objectiveNegative: valid.objectiveNegative,
          measures: { create: valid.measures.map((measure, position) => ({ ...measure, position })) },
        },
        include: { measures: { orderBy: { position: 'asc' } } },
      });
      return created;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`This project already has a prompt set named "${valid.name}"`, 'input.name');
      throw error;
    }
  }

  async getPromptSet(accountId: string, id: string, field = 'id'): Promise<PromptSet> {
    const promptSet = await this.prisma.promptSet.findFirst({ where: { id: requireUuid(field, id), project: { accountId } } });
    if (!promptSet) throw new NotFoundError('PromptSet', id);
    return promptSet;
  }
}
