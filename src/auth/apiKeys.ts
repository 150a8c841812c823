import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/database';
import { UserError } from '../errors';

/** Keys look like `qdgs_<32 random base64url characters>`; only their SHA-256 is stored. */
const KEY_PREFIX = 'qdgs_';

export interface AuthenticatedAccount {
  id: string;
  name: string;
  isAdmin: boolean;
}

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

/** Keys carry 192 random bits, so a fast unsalted hash is enough: there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(prisma: PrismaClient, accountId: string, name: string): Promise<string> {
  const key = generateApiKey();
  await prisma.apiKey.create({ data: { accountId, name, prefix: key.slice(0, KEY_PREFIX.length + 6), keyHash: hashApiKey(key) } });
  return key;
}

/** Creates an account with one API key; returns the key (shown once, never stored). */
export async function createAccountWithKey(prisma: PrismaClient, name: string, options: { isAdmin?: boolean; keyName?: string } = {}): Promise<{ accountId: string; key: string }> {
  const key = generateApiKey();
  const account = await prisma.account.create({
    data: {
      name,
      isAdmin: options.isAdmin ?? false,
      apiKeys: { create: { name: options.keyName ?? 'default', prefix: key.slice(0, KEY_PREFIX.length + 6), keyHash: hashApiKey(key) } },
    },
  });
  return { accountId: account.id, key };
}

/**
 * On an empty database, creates the admin account and returns its key so the caller can
 * print it once. Several servers starting together are serialised by a transaction-scoped
 * advisory lock, so exactly one of them creates the admin.
 */
export async function ensureAdminAccount(prisma: PrismaClient): Promise<string | undefined> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7260412032)`;
    if ((await tx.account.count()) > 0) return undefined;
    const key = generateApiKey();
    await tx.account.create({
      data: { name: 'admin', isAdmin: true, apiKeys: { create: { name: 'admin', prefix: key.slice(0, KEY_PREFIX.length + 6), keyHash: hashApiKey(key) } } },
    });
    return key;
  });
}

/** Reads `Bearer <key>` (the word Bearer is optional) and returns the key's account. */
export async function authenticate(prisma: PrismaClient, authorization: string | undefined): Promise<AuthenticatedAccount> {
  const key = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!key) throw new UserError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <key>');
  const record = await prisma.apiKey.findUnique({ where: { keyHash: hashApiKey(key) }, include: { account: true } });
  if (!record || record.revokedAt) throw new UserError('UNAUTHENTICATED', 'The API key is not valid');
  if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > 60_000) {
    prisma.apiKey.update({ where: { id: record.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return { id: record.account.id, name: record.account.name, isAdmin: record.account.isAdmin };
}
