// Imported first by the server and worker entry points: graphql-js reads NODE_ENV when it loads
// and, unless it is "production", runs a costly cross-realm check on every value it resolves
// (measured: about a fifth of the CPU time of reading an archive page). An explicit NODE_ENV wins.
process.env.NODE_ENV ??= 'production';
