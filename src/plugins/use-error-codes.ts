import type { Plugin } from 'graphql-yoga';

/** Placeholder: filled in once yoga's own codes are known. */
export function useErrorCodes(): Plugin {
  return {};
}
