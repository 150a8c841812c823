import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

let page: string | undefined;

/**
 * GraphiQL as one self-contained HTML page (scripts and styles inlined, no CDN), so the IDE
 * works on machines without internet access. Paste the API key into the Headers tab as
 * {"Authorization": "Bearer <key>"}.
 */
export function graphiqlPage(): string {
  page ??= renderGraphiQL({
    endpoint: '/graphql',
    subscriptionsProtocol: 'WS',
    title: 'QDGS GraphQL',
    headers: JSON.stringify({ Authorization: 'Bearer <paste your API key>' }, null, 2),
    defaultQuery: '# Put your API key in the Headers tab below, then run:\n{\n  viewer { id name }\n  projects(first: 10) { nodes { id name } }\n}\n',
  });
  return page;
}
