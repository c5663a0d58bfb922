import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError } from 'graphql';
import type { ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { operationCost } from '../graphql/operation-cost';

/**
 * Refuses hostile operations before any upstream call, with QUERY_TOO_COMPLEX and a message that
 * names the limit. Depth, aliases and directives are graphql-armor's validation rules; tokens are
 * counted by graphql-armor's parser; the cost (see operation-cost.ts) is checked at execution,
 * when the real variable values are known.
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

export function useQueryLimits(limits: QueryLimits): Plugin {
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
    } as never);
    return parser.parseDocument();
  };

  return {
    onParse({ setParseFn }) {
      setParseFn(parseWithTokenLimit as never);
    },
    onValidate({ addValidationRule }) {
      addValidationRule(maxDepthRule({ ...armor, n: limits.maxDepth }));
      addValidationRule(maxAliasesRule({ ...armor, n: limits.maxAliases }));
      addValidationRule(maxDirectivesRule({ ...armor, n: limits.maxDirectives }));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues);
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
