import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError } from 'graphql';
import type { ExecutionArgs, GraphQLSchema, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { compileOperationCost } from '../graphql/operation-cost';
import { perOperation } from '../graphql/per-operation';

/**
 * Refuses hostile operations before any upstream call, with QUERY_TOO_COMPLEX and a message that
 * names the limit. Depth, aliases and directives are graphql-armor's validation rules; tokens are
 * counted by graphql-armor's parser; the cost (see operation-cost.ts) is checked at execution,
 * when the real variable values are known (the document is walked once, then only its list-size
 * arguments are read per request).
 */

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
}

export class QueryTooComplexError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'QUERY_TOO_COMPLEX' } });
  }
}

/** Armor's messages start "Syntax Error: " although none of these is a syntax error. */
const armorMessage = (error: GraphQLError): string => error.message.replace(/^Syntax Error: /, '');

export function useQueryLimits(schema: GraphQLSchema, limits: QueryLimits): Plugin {
  const refuse = (context: ValidationContext | null, error: GraphQLError): void => {
    context?.reportError(new QueryTooComplexError(`${armorMessage(error)} Simplify the operation or split it.`));
  };
  const armor = { exposeLimits: true, propagateOnRejection: false, onReject: [refuse] };
  const parseWithTokenLimit = (source: string, options?: object) => {
    const parser = new MaxTokensParserWLexer(source, {
      ...options,
      n: limits.maxTokens,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [
        (_context: unknown, error: GraphQLError) => {
          throw new QueryTooComplexError(`${armorMessage(error)} Send a shorter document.`);
        },
      ],
    });
    return parser.parseDocument();
  };

  const rules = [
    maxDepthRule({ ...armor, n: limits.maxDepth }),
    maxAliasesRule({ ...armor, n: limits.maxAliases }),
    maxDirectivesRule({ ...armor, n: limits.maxDirectives }),
  ];

  // Each operation's cost function, compiled once per parsed document.
  const costOf = perOperation((document, operationName) => compileOperationCost(schema, document, operationName));

  return {
    onParse({ setParseFn }) {
      setParseFn(parseWithTokenLimit as never);
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const { document, operationName, variableValues } = args as ExecutionArgs;
      const cost = costOf(document, operationName)(variableValues);
      if (cost > limits.maxCost) {
        setResultAndStopExecution({
          errors: [
            new QueryTooComplexError(
              `Operation cost ${cost} exceeds the limit of ${limits.maxCost} (cost counts the objects an operation can return, with first/last and list arguments at their values). Ask for smaller pages or fewer nested lists.`,
            ),
          ],
        });
      }
    },
  };
}
