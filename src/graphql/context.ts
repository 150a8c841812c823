import type { AuthenticatedAccount } from '../auth/apiKeys';
import type { Database } from '../db/database';
import type { SampleImageService } from '../images/sampleImageService';
import type { ModelService } from '../modelRegistry/modelService';
import type { ProjectService } from '../projects/projectService';
import type { RunProgressFeed } from '../runs/runProgressFeed';
import type { RunService } from '../runs/runService';
import type { Loaders } from './loaders';

/** What every resolver receives: the caller's account, the services and this request's loaders. */
export interface GraphQLContext {
  account: AuthenticatedAccount;
  database: Database;
  projects: ProjectService;
  models: ModelService;
  runs: RunService;
  progressFeed: RunProgressFeed;
  loaders: Loaders;
}

/** Long-lived pieces shared by all requests; a context adds the account and fresh loaders. */
export interface PlatformServices {
  database: Database;
  projects: ProjectService;
  models: ModelService;
  runs: RunService;
  progressFeed: RunProgressFeed;
  /** PNGs of generative runs' samples and archives, served by the /images routes (not GraphQL). */
  images: SampleImageService;
}
