/**
 * jose 6 ships as ESM only, and this project compiles to CommonJS (module node16), where a static
 * `import ... from 'jose'` is refused by the type checker (TS1479). Node ≥ 20.19 loads ESM through
 * `require` natively, tsx does the same, and jest transforms jose to CommonJS (jest.config.js), so
 * one typed `require` here works everywhere; the rest of the kit imports jose from this module.
 */
export type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
export type { JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose' with {
  'resolution-mode': 'import',
};

export const jose: Jose = require('jose');
