import { createGraphQLError } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';

/**
 * MAX_REQUEST_BODY_BYTES: a larger body is refused with HTTP 413 (BAD_REQUEST), before it is read.
 *
 * In place of yoga's own limit (`maxRequestBodySize`), which pipes every body through a counting
 * stream even when its Content-Length already says how long it is. Node's HTTP parser delivers
 * exactly Content-Length bytes as the body and refuses a request that also says Transfer-Encoding,
 * so a declared length is checked once and the body read as it is; only a body without one
 * (chunked) is counted as it arrives.
 */
export function useRequestBodyLimit(maxBytes: number): Plugin {
  const tooLarge = () =>
    createGraphQLError(`The request body is larger than ${maxBytes} bytes: send a shorter document or fewer variables.`, {
      extensions: { code: 'BAD_REQUEST', http: { status: 413 } },
    });

  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // Only one non-negative integer is a Content-Length (a list of them is a smuggling attempt).
        if (!/^\d+$/.test(declared)) {
          throw createGraphQLError('The Content-Length header is not a byte count.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
        if (Number(declared) > maxBytes) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((incoming) => {
        const body = incoming.body;
        if (!body) return parse(incoming);
        let bytes = 0;
        // The native TransformStream when the body is a native stream (they do not mix with whatwg-node's).
        const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        const counted = body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              bytes += chunk.byteLength;
              if (bytes > maxBytes) controller.error(tooLarge());
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(incoming.url, {
            method: incoming.method,
            headers: incoming.headers,
            signal: incoming.signal,
            body: counted,
            duplex: 'half',
          } as RequestInit),
        );
      });
    },
  };
}
