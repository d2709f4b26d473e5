import type { RequestHandler } from 'express';
import { problems } from '@moocflix/platform-core/errors';
import { sendProblem } from './problem-handler';

/** The part of a service this needs: where it is mounted and the paths its document describes. */
interface DocumentedService {
  basePath: string;
  openapi: object;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface KnownPath {
  pattern: RegExp;
  methods: string[];
}

/**
 * The full path of every operation a service documents: `servers[0].url` (a service whose paths
 * are relative to its base path says so there) joined with the path template, each `{param}`
 * matching one segment.
 */
function knownPaths(service: DocumentedService): KnownPath[] {
  const document = service.openapi as { servers?: Array<{ url?: string }>; paths?: Record<string, object> };
  const server = (document.servers?.[0]?.url ?? '/').replace(/\/$/, '');
  return Object.entries(document.paths ?? {}).map(([template, item]) => {
    const source = (server + template)
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
      .join('');
    const methods = HTTP_METHODS.filter((m) => m in item).map((m) => m.toUpperCase());
    // HEAD is served wherever GET is (Express answers it with the GET route).
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    return { pattern: new RegExp(`^${source}/?$`), methods };
  });
}

/**
 * Mounted just before the 404 handler: a request no route answered, on a path some route serves
 * with other methods, is a 405 problem+json with `Allow` (a 404 would tell the client the resource
 * does not exist). The paths come from the services' OpenAPI documents, plus the routes the app
 * itself serves (`extraGetPaths`: health, readiness, metrics, each document).
 */
export function methodNotAllowedHandler(
  services: DocumentedService[],
  extraGetPaths: string[] = [],
): RequestHandler {
  const paths: KnownPath[] = [
    ...services.flatMap(knownPaths),
    ...extraGetPaths.map((path) => ({
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}/?$`),
      methods: ['GET', 'HEAD'],
    })),
  ];
  return (req, res, next) => {
    const allowed = [...new Set(paths.filter((p) => p.pattern.test(req.path)).flatMap((p) => p.methods))];
    if (allowed.length === 0 || allowed.includes(req.method)) return next();
    sendProblem(res, problems.methodNotAllowed(req.method, allowed), req.originalUrl);
  };
}
