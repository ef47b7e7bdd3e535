import { inputSchemaError, payloadErrors } from './json-schema.js';

describe('json-schema', () => {
  // Each request parses its schema afresh (a manual run's workflow row, a model step's responseSchema).
  const fresh = () => ({ $id: 'https://example.com/order', type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] });

  it('checks a payload against a schema given as a fresh object each time, one with an $id included', () => {
    expect(payloadErrors(fresh(), {})).toEqual([{ path: 'payload', message: "must have required property 'orderId'" }]);
    expect(payloadErrors(fresh(), { orderId: 'A-1' })).toEqual([]);
    expect(payloadErrors(fresh(), { orderId: 7 })).toEqual([{ path: 'payload.orderId', message: 'must be string' }]);
    expect(inputSchemaError(fresh())).toBeNull();
  });

  it('says why a schema is not one', () => {
    expect(inputSchemaError({ type: 'nonsense' })).toMatch(/^Not a valid JSON Schema: /);
  });
});
