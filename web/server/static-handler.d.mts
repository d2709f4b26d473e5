import type { IncomingMessage, ServerResponse } from 'node:http';

export declare const CONTENT_SECURITY_POLICY: string;
export declare function isApiPath(pathname: string): boolean;
export declare function createStaticHandler(
  distDir: string,
): (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => Promise<void>;
