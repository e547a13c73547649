// Real servers on 127.0.0.1, port 0, each mounting the same handler the way its users would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { handleNodeRequest, toNodeListener } from '../node';

type WebHandler = (request: Request) => Promise<Response>;

export interface Running {
  name: string;
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server, name: string): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** node:http, the handler as the whole listener. */
export const nodeHttp = (handler: WebHandler) => listen(createServer(toNodeListener(handler)), 'node:http');

/** Express 5: `/dlr` reads the raw stream, `/dlr-json` comes after express.json() (a parsed body). */
export function expressServer(handler: WebHandler): Promise<Running> {
  const app = express();
  app.post('/dlr', toNodeListener(handler));
  app.post('/dlr-json', express.json(), toNodeListener(handler));
  return listen(createServer(app), 'express');
}

/** Fastify 5 with its default JSON parser: the route hands over the parsed body. */
export async function fastifyServer(handler: WebHandler): Promise<Running> {
  const app = Fastify();
  app.post('/dlr', async (request, reply) => {
    reply.hijack();
    await handleNodeRequest(handler, request.raw, reply.raw, request.body);
  });
  // Any Web handler works through the Request path too (the msgkit handler minus its fast path).
  app.post('/dlr-web', async (request, reply) => {
    reply.hijack();
    await handleNodeRequest((r: Request) => handler(r), request.raw, reply.raw, request.body);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { name: 'fastify', url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Hono on @hono/node-server: the Web handler as it is. */
export function honoServer(handler: WebHandler): Promise<Running> {
  const app = new Hono();
  app.post('/dlr', (c) => handler(c.req.raw));
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server, 'hono');
}

export const FRAMEWORKS = [nodeHttp, expressServer, fastifyServer, honoServer];
