import { ConnectorError } from '../sdk.js';
import { describeConnector, failureOf } from '../testing.js';
import { buildEnvelope, parametersToXml, parseSoapResponse } from './envelope.js';
import { soap } from './index.js';

describeConnector(soap, ({ mock, run, testConnection, credentials }) => {
  const creds = () => credentials<{ endpoint: string; username: string; password: string }>();
  const check = (c: unknown = creds()) => testConnection(c);
  const ORDERS = 'http://tributary.dev/legacy/orders';

  describe('soap.call', () => {
    it('builds a SOAP 1.1 envelope from JSON parameters and answers the Body as JSON', async () => {
      const out = await run('call', { input: { operation: 'GetOrderStatus', namespace: ORDERS, parameters: { OrderId: 1002 } } });
      expect(out).toEqual({
        status: 200,
        operation: 'GetOrderStatusResponse',
        body: { GetOrderStatusResponse: { GetOrderStatusResult: { OrderId: '1002', Status: 'SHIPPED', LastUpdated: '2024-05-01T12:00:00Z', Carrier: 'UPS', TrackingNumber: '1Z999AA10000001002' } } },
        result: { GetOrderStatusResult: expect.objectContaining({ Status: 'SHIPPED' }) },
      });
      const [req] = mock.requests;
      expect(req.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(req.headers.soapaction).toBe(`"${ORDERS}/GetOrderStatus"`);
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('legacy:legacy-secret').toString('base64')}`);
      expect(req.bodyText).toContain('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">');
      expect(req.bodyText).toContain(`<soap:Body><GetOrderStatus xmlns="${ORDERS}"><OrderId>1002</OrderId></GetOrderStatus></soap:Body>`);
    });

    it('posts a rendered body XML as SOAP 1.2 to a service without auth', async () => {
      const out = await run('call', {
        credentials: { endpoint: `${mock.url}/soap/tempconvert` },
        input: {
          soapVersion: '1.2',
          soapAction: 'https://www.w3schools.com/xml/CelsiusToFahrenheit',
          namespace: 'https://www.w3schools.com/xml/',
          body: '<tns:CelsiusToFahrenheit><tns:Celsius>20</tns:Celsius></tns:CelsiusToFahrenheit>',
        },
      });
      expect(out).toMatchObject({ operation: 'CelsiusToFahrenheitResponse', result: { CelsiusToFahrenheitResult: '68' } });
      const [req] = mock.requests;
      expect(req.headers['content-type']).toBe('application/soap+xml; charset=utf-8; action="https://www.w3schools.com/xml/CelsiusToFahrenheit"');
      expect(req.bodyText).toContain('xmlns:tns="https://www.w3schools.com/xml/"');
      expect(req.headers.authorization).toBeUndefined();
    });

    it('turns a SOAP 1.1 fault into a step error with faultcode and faultstring', async () => {
      const err = await failureOf(run('call', { input: { operation: 'GetOrderStatus', namespace: ORDERS, parameters: { OrderId: 'FAULT' } } }));
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({
        message: "SOAP fault Client: Order 'FAULT' not found",
        retryable: false,
        status: 500,
        details: { faultcode: 'Client', faultstring: "Order 'FAULT' not found", detail: { ErrorCode: 'ORDER_NOT_FOUND' } },
      });
      expect(mock.requests).toHaveLength(1);
    });

    it('reads SOAP 1.2 faults (Code/Reason) too', async () => {
      const err = await failureOf(
        run('call', { input: { soapVersion: '1.2', operation: 'GetOrderStatus', namespace: ORDERS, parameters: { OrderId: 'nope' } } }),
      );
      expect(err).toMatchObject({ message: "SOAP fault Sender: Order 'nope' not found", status: 400 });
    });

    it('reports rejected basic-auth credentials without the password', async () => {
      const err = await failureOf(run('call', { credentials: { ...creds(), password: 'hunter2hunter2' } }));
      expect(err).toMatchObject({ message: 'The SOAP service rejected the credentials (401 401 - Unauthorized)', retryable: false });
      expect(JSON.stringify(err)).not.toContain('hunter2');
    });

    it('treats a 500 that is not a SOAP fault as a retryable provider error', async () => {
      const err = await failureOf(
        run('call', { input: { operation: 'GetOrderStatus', namespace: ORDERS, parameters: { OrderId: 'mock-500' } } }),
      );
      expect(err).toMatchObject({ message: 'The SOAP service did not answer with a SOAP envelope (500 Server Error)', retryable: true });
    });

    it('needs a body or an operation', async () => {
      await expect(run('call', { input: { namespace: ORDERS } })).rejects.toThrow(/body/);
    });
  });

  describe('SOAP envelope helpers', () => {
    it('escapes parameter values and repeats arrays', () => {
      expect(parametersToXml({ Note: 'a<b & "c"', Sku: ['A', 'B'], Empty: null })).toBe('<Note>a&lt;b &amp; &quot;c&quot;</Note><Sku>A</Sku><Sku>B</Sku><Empty/>');
      expect(() => parametersToXml({ 'bad name': 1 })).toThrow('not a valid XML element name');
    });

    it('recognises what is not a SOAP envelope', () => {
      expect(parseSoapResponse('<html><body>oops</body></html>')).toEqual({ ok: null });
      expect(parseSoapResponse('not xml')).toEqual({ ok: null });
      const env = buildEnvelope({ version: '1.1', body: '<X><Y a="1">2</Y></X>' });
      expect(parseSoapResponse(env)).toEqual({ ok: true, body: { X: { Y: { '#text': '2', '@a': '1' } } }, header: undefined });
    });
  });

  describe('soap test connection', () => {
    it('fetches the WSDL with basic auth and names the service and its operations', async () => {
      await expect(check()).resolves.toBe("The SOAP service's WSDL describes OrderService: GetOrderStatus");
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/soap/OrderService', query: { wsdl: '' }, bodyText: '' });
      expect(mock.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('legacy:legacy-secret').toString('base64')}`);
      await expect(check({ endpoint: `${mock.url}/soap/tempconvert` })).resolves.toBe(
        "The SOAP service's WSDL describes tempconvert: CelsiusToFahrenheit, FahrenheitToCelsius",
      );
    });

    it('explains rejected credentials and an endpoint without a WSDL', async () => {
      const err = await failureOf(check({ ...creds(), password: 'hunter2hunter2' }));
      expect(err).toMatchObject({ message: 'The SOAP service rejected the credentials (401 401 - Unauthorized)', status: 401 });
      expect(JSON.stringify(err)).not.toContain('hunter2');
      await expect(check({ endpoint: `${mock.url}/soap/NoSuchService` })).rejects.toThrow('The SOAP service publishes no WSDL at ?wsdl (404)');
      await expect(check({ endpoint: `${mock.url}/http/anything/soap` })).rejects.toThrow('answered ?wsdl with something that is not a WSDL');
    });
  });
});
