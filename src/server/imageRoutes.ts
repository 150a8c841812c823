import express, { type Request, type Response } from 'express';
import { authenticate } from '../auth/apiKeys';
import type { PrismaClient } from '../db/database';
import { InputError, UserError, type UserErrorCode } from '../errors';
import type { RenderableImage, SampleImageService } from '../images/sampleImageService';
import { ModelError } from '../models/runtime/modelErrors';
import type { Logger } from './logger';

/**
 * GET /images/runs/:runId/samples/:sampleId.png  one sample of a generative run
 * GET /images/runs/:runId/archive.png            its archive as a contact sheet (?cell=8..256 pixels per cell, ?grid=false)
 *
 * Authenticated like /graphql (`Authorization: Bearer <key>`). PNGs carry an ETag; a matching
 * If-None-Match is answered 304 without rendering. Errors are JSON `{ error: { code, message } }`.
 */

export const SHEET_CELL_BOUNDS = [8, 256] as const;

const STATUS_OF: Record<UserErrorCode, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409 };

/** A finished run's images never change; a running run's elites may be replaced, so clients revalidate. */
const CACHE_FINAL = 'private, max-age=31536000, immutable';
const CACHE_LIVE = 'private, max-age=0, must-revalidate';

export function imageRoutes(options: { prisma: PrismaClient; images: SampleImageService; logger: Logger }): express.Router {
  const { prisma, images, logger } = options;
  const router = express.Router();

  const serve = (describe: (accountId: string, req: Request) => Promise<RenderableImage>) => async (req: Request, res: Response) => {
    try {
      const account = await authenticate(prisma, req.headers.authorization);
      const image = await describe(account.id, req);
      res.set({ ETag: image.etag, 'Cache-Control': image.final ? CACHE_FINAL : CACHE_LIVE, Vary: 'Authorization' });
      if (matchesIfNoneMatch(req.headers['if-none-match'], image.etag)) {
        res.status(304).end();
        return;
      }
      const png = await image.render();
      res.type('image/png').send(png);
    } catch (error) {
      sendError(res, error, logger);
    }
  };

  router.get(
    '/images/runs/:runId/samples/:sampleId.png',
    serve((accountId, req) => images.sampleImage(accountId, String(req.params.runId), String(req.params.sampleId))),
  );
  router.get(
    '/images/runs/:runId/archive.png',
    serve((accountId, req) => images.contactSheet(accountId, String(req.params.runId), { cellSize: cellSizeOf(req.query.cell), gridLines: gridLinesOf(req.query.grid) })),
  );
  return router;
}

/**
 * RFC 9110 If-None-Match at the origin (weak comparison). Not express's req.fresh: that treats a
 * request's `Cache-Control: no-cache` as a forced reload, and fetch() adds exactly that header to
 * every request that carries If-None-Match, so fetch clients would never get a 304.
 */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

function cellSizeOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const [min, max] = SHEET_CELL_BOUNDS;
  const size = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(size >= min && size <= max)) throw new InputError('cell', `must be a whole number of pixels from ${min} to ${max}; got ${JSON.stringify(value)}`);
  return size;
}

function gridLinesOf(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new InputError('grid', `must be true or false; got ${JSON.stringify(value)}`);
}

function sendError(res: Response, error: unknown, logger: Logger): void {
  res.set('Cache-Control', 'no-store');
  if (error instanceof UserError) {
    res.status(STATUS_OF[error.code] ?? 400).json({ error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } });
    return;
  }
  logger.error({ err: error }, 'image request failed');
  if (error instanceof ModelError) {
    // The run's generator bundle is missing or broken on this server: the operator's to fix, not the caller's.
    res.status(503).json({ error: { code: 'MODEL_UNAVAILABLE', message: `The run's generator cannot be loaded on this server (${error.code}); ask the operator to restore the model bundle` } });
    return;
  }
  res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
}
