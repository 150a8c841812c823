import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { UserError } from '../errors';
import { QdConfigError } from '../qd/errors';

/** Codes a client may branch on; anything else is reported as INTERNAL_SERVER_ERROR without details. */
const PUBLIC_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'UNAUTHENTICATED', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'QUERY_TOO_COMPLEX', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * Turns what resolvers throw into the error a client sees: user errors keep their code and
 * field; engine configuration errors become BAD_USER_INPUT; unexpected errors are logged by the
 * caller and answered with a generic message, so internals never leak.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, onInternalError: (error: unknown) => void = () => {}): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (original instanceof UserError) {
    return { ...formatted, message: original.message, extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) } };
  }
  if (original instanceof QdConfigError) {
    return { ...formatted, message: original.message, extensions: { code: 'BAD_USER_INPUT', field: original.parameter } };
  }
  if (original instanceof ArgumentValidationError) {
    return { ...formatted, extensions: { code: 'BAD_USER_INPUT' } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PUBLIC_CODES.has(code)) return formatted;
  onInternalError(original);
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
