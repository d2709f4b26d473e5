import { z } from 'zod';
import { ConfigError, env, loadConfig } from './index';

const schema = z.object({
  PORT: env.port(8080),
  KAFKA_BROKERS: env.list(),
  FEATURE_ON: env.bool(false),
  JWKS: env.url('http://localhost/jwks'),
});

describe('loadConfig', () => {
  it('applies defaults for unset and empty variables', () => {
    const config = loadConfig(schema, { PORT: '', FEATURE_ON: undefined });
    expect(config).toEqual({ PORT: 8080, KAFKA_BROKERS: undefined, FEATURE_ON: false, JWKS: 'http://localhost/jwks' });
  });

  it('coerces and splits values', () => {
    const config = loadConfig(schema, { PORT: '9000', KAFKA_BROKERS: 'a:9092, b:9092,', FEATURE_ON: 'yes' });
    expect(config.PORT).toBe(9000);
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
    expect(config.FEATURE_ON).toBe(true);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', FEATURE_ON: 'maybe', JWKS: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^PORT:/m);
    expect(problems).toMatch(/^FEATURE_ON:/m);
    expect(problems).toMatch(/^JWKS:/m);
  });

  it('ignores variables the schema does not name', () => {
    expect(loadConfig(z.object({ PORT: env.port(1) }), { PORT: '2', PATH: '/bin' })).toEqual({ PORT: 2 });
  });
});
