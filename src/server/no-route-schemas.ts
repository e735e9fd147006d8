import type { FastifyServerOptions } from 'fastify';

/**
 * The gateway validates what it receives with zod inside its handlers and declares no Fastify
 * route schemas. Giving Fastify compilers that refuse schemas keeps it from loading its own
 * (ajv and fast-json-stringify, about a tenth of the bundle) at every start-up.
 */
function refuseRouteSchemas(): never {
  throw new Error('gatehouse routes take no Fastify schemas: validate the request with zod');
}

export const NO_ROUTE_SCHEMAS = {
  compilersFactory: {
    buildValidator: () => refuseRouteSchemas,
    buildSerializer: () => refuseRouteSchemas,
  },
} satisfies FastifyServerOptions['schemaController'];
