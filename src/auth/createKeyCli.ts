/**
 * npm run key:create -- --name NAME [--account ACCOUNT_ID] [--admin]
 *
 * Without --account it creates a new account called NAME with one key; with --account it adds
 * a key called NAME to that account. The key is printed alone on the last line.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { createAccountWithKey, createApiKey } from './apiKeys';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { name: { type: 'string' }, account: { type: 'string' }, admin: { type: 'boolean', default: false } }, strict: true });
  const name = values.name?.trim();
  if (!name) throw new Error('--name NAME is required');
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    if (values.account) {
      const account = await database.prisma.account.findUnique({ where: { id: values.account } });
      if (!account) throw new Error(`account ${values.account} does not exist`);
      const key = await createApiKey(database.prisma, account.id, name);
      console.log(`Created key "${name}" for account ${account.name} (${account.id}).`);
      console.log(key);
    } else {
      const { accountId, key } = await createAccountWithKey(database.prisma, name, { isAdmin: values.admin });
      console.log(`Created account "${name}" (${accountId})${values.admin ? ' with admin rights' : ''}. Its API key:`);
      console.log(key);
    }
  } finally {
    await database.close();
  }
}

main().catch((error: Error) => {
  console.error(`key:create failed: ${error.message}`);
  process.exit(1);
});
