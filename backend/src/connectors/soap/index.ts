/**
 * SOAP: builds a 1.1 or 1.2 envelope around an XML body (rendered by the engine's templates) or
 * around parameters given as JSON, posts it, and answers the Body as JSON. A SOAP Fault becomes a
 * ConnectorError carrying faultcode and faultstring. The endpoint is part of the credential.
 */
import { z } from 'zod';
import { callProvider, defaultReason, type ProviderInfo } from '../provider-call.js';
import { actionWith, ConnectorError, defineConnector, MOCK_ORIGIN } from '../sdk.js';
import { buildEnvelope, contentHeaders, escapeXml, parametersToXml, parseSoapResponse } from './envelope.js';

const credentials = z.object({
  endpoint: z.string().url().describe('The service URL the envelope is posted to (the WSDL\'s soap:address location)'),
  username: z.string().optional().describe('HTTP basic-auth user, when the service needs one'),
  password: z.string().optional().describe('HTTP basic-auth password'),
});
const action = actionWith(credentials);
const provider: ProviderInfo = { name: 'The SOAP service' };

/** `Authorization: Basic …` when the credential has a user. */
function basicAuth(cred: { username?: string; password?: string }): Record<string, string> {
  return cred.username ? { authorization: `Basic ${Buffer.from(`${cred.username}:${cred.password ?? ''}`).toString('base64')}` } : {};
}

/** The endpoint with `?wsdl` added (kept after an existing query), where SOAP stacks publish the WSDL. */
function wsdlUrl(endpoint: string): string {
  const url = new URL(endpoint);
  url.hash = '';
  return `${url.href.replace(/\?$/, '')}${url.search ? '&' : '?'}wsdl`;
}

const input = z
  .object({
    soapAction: z.string().optional().describe('The SOAPAction of the operation; default: <namespace>/<operation>'),
    body: z.string().optional().describe('The XML placed inside soap:Body (templates allowed), e.g. <tns:GetOrderStatus>…'),
    operation: z.string().optional().describe('Instead of body: the operation element name, built with the parameters'),
    parameters: z.record(z.string(), z.unknown()).optional().describe('Instead of body: child elements of the operation, as JSON'),
    namespace: z.string().optional().describe('Target namespace: the built operation\'s namespace, or declared as the tns prefix for a given body'),
    header: z.string().optional().describe('Optional XML placed inside soap:Header (e.g. WS-Security)'),
    soapVersion: z.enum(['1.1', '1.2']).default('1.1').describe('SOAP 1.1 (text/xml + SOAPAction) or 1.2 (application/soap+xml)'),
  })
  .refine((v) => v.body || v.operation, { message: 'Give either body (XML) or operation (+ parameters)', path: ['body'] });

export const soap = defineConnector({
  key: 'soap',
  name: 'SOAP',
  icon: 'file-code',
  description: 'Call a SOAP web service and get its answer as JSON',
  credentials,
  sampleCredentials: { endpoint: `${MOCK_ORIGIN}/soap/OrderService`, username: 'legacy', password: 'legacy-secret' },
  /**
   * `GET <endpoint>?wsdl` with the credential's basic auth: .NET, JAX-WS and most SOAP stacks publish
   * the service description there, behind the same authentication as the service. Calling an
   * operation instead could change something; the WSDL is a read, and it names the operations.
   */
  async test(ctx) {
    const cred = ctx.credentials;
    const res = await callProvider(ctx, provider, {
      url: wsdlUrl(cred.endpoint),
      headers: { accept: 'text/xml, application/xml', ...basicAuth(cred) },
      secrets: cred.password ? [cred.password] : [],
    }).catch((failure: unknown) => {
      if (!(failure instanceof ConnectorError) || failure.status !== 404) throw failure;
      throw new ConnectorError('The SOAP service publishes no WSDL at ?wsdl (404): check the endpoint; a service that hides its WSDL cannot be tested', {
        status: 404,
      });
    });
    const xml = res.text;
    // WSDL 1.1 <definitions> or WSDL 2.0 <description>, with any prefix.
    if (!/<(?:[\w-]+:)?(?:definitions|description)[\s>]/.test(xml)) {
      const reason = defaultReason(xml);
      throw new ConnectorError(`The SOAP service answered ?wsdl with something that is not a WSDL${reason ? ` (${reason})` : ''}`, { status: res.status });
    }
    const service = /<(?:[\w-]+:)?service\s[^>]*\bname="([^"]+)"/.exec(xml)?.[1] ?? /<(?:[\w-]+:)?definitions\s[^>]*\bname="([^"]+)"/.exec(xml)?.[1];
    // Operations are declared in portType (1.1) or interface (2.0), and repeated in each binding.
    const operations = [...new Set([...xml.matchAll(/<(?:[\w-]+:)?operation\s[^>]*\bname="([^"]+)"/g)].map((m) => m[1]))];
    const ops = operations.length ? `: ${operations.slice(0, 5).join(', ')}${operations.length > 5 ? `, … (${operations.length} operations)` : ''}` : '';
    return `The SOAP service's WSDL describes ${service ?? 'a service'}${ops}`;
  },
  actions: [
    action({
      key: 'call',
      name: 'Call operation',
      description: 'Posts a SOAP envelope; a SOAP Fault fails the step with its faultcode and faultstring',
      input,
      output: z.object({
        status: z.number().describe('HTTP status'),
        operation: z.string().describe('Name of the first element in the answer\'s Body, e.g. GetOrderStatusResponse'),
        body: z.record(z.string(), z.unknown()).describe('The answer\'s soap:Body as JSON (namespace prefixes removed, attributes as @name)'),
        result: z.unknown().describe('The content of that first element, for short templates'),
      }),
      sample: {
        operation: 'GetOrderStatus',
        namespace: 'http://tributary.dev/legacy/orders',
        parameters: { OrderId: '1002' },
      },
      async execute(ctx) {
        const { credentials: cred, input: inp } = ctx;
        const version = inp.soapVersion;
        // Built operations put the namespace on the element itself, so children inherit it (as .NET services expect).
        const xmlns = inp.namespace ? ` xmlns="${escapeXml(inp.namespace)}"` : '';
        const bodyXml = inp.body ?? `<${inp.operation}${xmlns}>${parametersToXml(inp.parameters ?? {})}</${inp.operation}>`;
        const soapAction = inp.soapAction ?? (inp.namespace && inp.operation ? `${inp.namespace.replace(/\/$/, '')}/${inp.operation}` : undefined);
        const headers = { ...contentHeaders(version, soapAction), ...basicAuth(cred) };
        const res = await callProvider(ctx, provider, {
          method: 'POST',
          url: cred.endpoint,
          headers,
          body: buildEnvelope({ version, body: bodyXml, header: inp.header, namespace: inp.body ? inp.namespace : undefined }),
          // Faults arrive with 500 (and 400 for 1.2 Sender faults): read them rather than retry.
          acceptStatus: (s) => s < 400 || s === 500 || (version === '1.2' && s === 400),
          secrets: cred.password ? [cred.password] : [],
        });
        const parsed = parseSoapResponse(res.text);
        if (parsed.ok === false) {
          const { code, message, detail } = parsed.fault;
          throw new ConnectorError(`SOAP fault ${code}: ${message}`, {
            status: res.status,
            retryable: code === 'Server' || code === 'Receiver',
            details: { faultcode: code, faultstring: message, detail },
          });
        }
        if (parsed.ok === null || res.status >= 400) {
          const reason = defaultReason(res.text);
          throw new ConnectorError(`The SOAP service did not answer with a SOAP envelope (${res.status}${reason ? ` ${reason}` : ''})`, {
            status: res.status,
            retryable: res.status >= 500,
          });
        }
        const [operation, result] = Object.entries(parsed.body).find(([k]) => !k.startsWith('@')) ?? ['', null];
        return { status: res.status, operation, body: parsed.body, result };
      },
    }),
  ],
});
