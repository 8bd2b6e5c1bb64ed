import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { Hub } from '../hub/index.js';
import { createHandler, type HandlerOptions } from '../server/handler.js';

export interface SsehubFastifyOptions extends Omit<HandlerOptions, 'prefix'> {
  readonly hub: Hub;
}

/**
 * The hub's routes as a Fastify plugin: `app.register(ssehub, { hub, prefix: '/sse' })`.
 *
 * Each request is hijacked: Fastify's reply pipeline (serialisation, onSend hooks, and so
 * `@fastify/compress`) never touches a stream, and bodies are left unparsed for the hub's own
 * strict parser. Both apply inside this plugin only; the rest of the app is unchanged.
 */
export const ssehub: FastifyPluginCallback<SsehubFastifyOptions> = (fastify, options, done) => {
  const { hub, ...handlerOptions } = options;
  const handler = createHandler(hub, { ...handlerOptions, prefix: fastify.prefix });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
  const route = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    return handler(request.raw, reply.raw);
  };
  fastify.all('/', route);
  fastify.all('/*', route);
  done();
};
