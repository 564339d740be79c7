import { describe, expect, it } from 'vitest';
import { toStrictJsonSchema } from './crd-schemas.js';

describe('toStrictJsonSchema', () => {
  it('rejects unknown fields wherever the CRD declares properties', () => {
    const schema = toStrictJsonSchema({
      type: 'object',
      properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } },
    });
    expect(schema).toMatchObject({
      additionalProperties: false,
      properties: { spec: { additionalProperties: false } },
    });
  });

  it('keeps objects that preserve unknown fields open', () => {
    const schema = toStrictJsonSchema({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: { config: { type: 'string' } },
    });
    expect(schema).not.toHaveProperty('additionalProperties');
  });

  it('turns int-or-string into a union and nullable into a null type', () => {
    expect(toStrictJsonSchema({ 'x-kubernetes-int-or-string': true, type: 'string' })).toMatchObject({
      anyOf: [{ type: 'integer' }, { type: 'string' }],
    });
    expect(toStrictJsonSchema({ type: 'string', nullable: true })).toMatchObject({ type: ['string', 'null'] });
  });

  it('leaves a property called "properties" a property, not a keyword', () => {
    const schema = toStrictJsonSchema({
      type: 'object',
      properties: { properties: { type: 'object', additionalProperties: { type: 'string' } } },
    }) as { properties: { properties: { additionalProperties: unknown } } };
    expect(schema.properties.properties.additionalProperties).toEqual({ type: 'string' });
  });
});
