import { getVariableValues, GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './connection';

export const MAX_QUERY_DEPTH = 12;
/** One field costs 1; a list field with `first: N` costs N times its selection. */
export const MAX_QUERY_COMPLEXITY = 50_000;

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX' } });
}

/** Field nesting depth of an operation (fragments followed, introspection fields not counted). */
export function queryDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const depthOf = (selectionSet: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) deepest = Math.max(deepest, selection.name.value.startsWith('__') ? 0 : 1 + depthOf(selection.selectionSet, seen));
      else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
      else if (!seen.has(selection.name.value)) {
        deepest = Math.max(deepest, depthOf(fragments.get(selection.name.value)?.selectionSet, new Set([...seen, selection.name.value])));
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, new Set());
}

/**
 * Paginated fields multiply the cost of their selection by the page size they ask for (capped at
 * the largest page, so an oversized `first` is reported by the field itself as BAD_USER_INPUT).
 */
const paginationEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  if (!field.args.some((arg) => arg.name === 'first')) return undefined;
  const first = typeof args.first === 'number' ? Math.min(Math.max(1, args.first), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  return 1 + first * childComplexity;
};

/**
 * Refuses an operation (QUERY_TOO_COMPLEX) nested deeper than MAX_QUERY_DEPTH or whose estimated
 * cost exceeds MAX_QUERY_COMPLEXITY, before any resolver runs. Call it on a validated document.
 */
export function checkQueryLimits(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined, operationName?: string | null): void {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  if (!operation) return;
  const depth = queryDepth(document, operation);
  if (depth > MAX_QUERY_DEPTH) throw tooComplex(`The query is ${depth} levels deep; at most ${MAX_QUERY_DEPTH} are allowed`);
  // The cost estimate coerces the variables, which throws on a value of the wrong type (an unknown
  // enum value, a string for an Int): that is the client's input, not an internal error.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) throw new GraphQLError(coerced.errors[0].message, { nodes: coerced.errors[0].nodes, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  const complexity = getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators: [paginationEstimator, simpleEstimator({ defaultComplexity: 1 })] });
  if (complexity > MAX_QUERY_COMPLEXITY) {
    throw tooComplex(`The query would cost ${complexity} (fields times page sizes); at most ${MAX_QUERY_COMPLEXITY} is allowed. Ask for smaller pages or fewer fields.`);
  }
}
