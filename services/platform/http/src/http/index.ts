export { createHttpApp, type HttpAppOptions, type ReadinessCheck, type ServiceModule } from './app';
export { KEEP_ALIVE_DRAIN_MS, startHttpServer, type RunningServer, type StartServerOptions } from './server';
export {
  allowBody,
  requestBody,
  DEFAULT_HTTP_LIMITS,
  httpLimitsConfigShape,
  httpLimitsFromConfig,
  type BodyTimeouts,
  type HttpLimits,
} from './request-limits';
export { trustedProxiesSetting, trustProxySetting, type TrustedProxies } from './trusted-proxies';
export { parseBody, parseParams, parseQuery, parseWith } from './validation';
export { sendProblem, PROBLEM_CONTENT_TYPE } from './problem-handler';
export {
  paginationQuery,
  encodeCursor,
  decodeCursor,
  cursorField,
  cursorSchema,
  INT4_MAX,
  type CursorField,
  type CursorSchema,
  type Page,
} from './pagination';
export {
  commonProblems,
  kitProblems,
  rateLimited,
  dateTime,
  json,
  jsonSchema,
  nullable,
  page,
  problem,
  problemSchema,
  queryParameters,
  ref,
  uuidPathParam,
  type JsonSchemaOptions,
  type QueryParameter,
} from './openapi';
