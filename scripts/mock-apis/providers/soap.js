// @ts-check
/**
 * Legacy SOAP services for the protocol-bridge demo:
 * - /soap/OrderService: GetOrderStatus(OrderId), HTTP basic auth, namespace ORDERS_NS.
 * - /soap/tempconvert: CelsiusToFahrenheit / FahrenheitToCelsius, no auth (w3schools' classic shape).
 * SOAP 1.1 (text/xml + SOAPAction) and 1.2 (application/soap+xml) are both understood; the answer
 * uses the request's version. Faults: 1.1 faultcode/faultstring (HTTP 500), 1.2 Code/Reason (400
 * for Sender, 500 otherwise). Magic: OrderId FAULT (or any non-numeric id) → "Order not found" fault.
 * `GET <service>?wsdl` answers the service's WSDL 1.1 (what "Test connection" fetches), behind the
 * same basic auth as the service, as IIS or a servlet container protects the whole path.
 */
import { basicAuth, html, route, text } from '../lib.js';

export const SOAP_AUTH = { username: 'legacy', password: 'legacy-secret' };
export const ORDERS_NS = 'http://tributary.dev/legacy/orders';
export const TEMPCONVERT_NS = 'https://www.w3schools.com/xml/';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const STATUSES = ['PENDING', 'PROCESSING', 'SHIPPED', 'DELIVERED'];

/** @param {string} s */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** @param {1.1 | 1.2} version @param {string} inner */
function envelope(version, inner) {
  return `<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="${version === 1.1 ? SOAP11 : SOAP12}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>${inner}</soap:Body></soap:Envelope>`;
}

/** @param {1.1 | 1.2} version @param {string} inner */
function ok(version, inner) {
  const type = version === 1.1 ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8';
  return { status: 200, headers: { 'content-type': type }, body: envelope(version, inner) };
}

/** @param {1.1 | 1.2} version @param {'Client' | 'Server'} who @param {string} message @param {string} [detail] */
function fault(version, who, message, detail) {
  if (version === 1.1) {
    const d = detail ? `<detail><ErrorCode>${esc(detail)}</ErrorCode></detail>` : '';
    const body = envelope(1.1, `<soap:Fault><faultcode>soap:${who}</faultcode><faultstring>${esc(message)}</faultstring>${d}</soap:Fault>`);
    return { status: 500, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
  }
  const code = who === 'Client' ? 'Sender' : 'Receiver';
  const d = detail ? `<soap:Detail><ErrorCode>${esc(detail)}</ErrorCode></soap:Detail>` : '';
  const inner = `<soap:Fault><soap:Code><soap:Value>soap:${code}</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">${esc(message)}</soap:Text></soap:Reason>${d}</soap:Fault>`;
  return { status: code === 'Sender' ? 400 : 500, headers: { 'content-type': 'application/soap+xml; charset=utf-8' }, body: envelope(1.2, inner) };
}

/**
 * Reads a request envelope well enough for a mock: version, operation element and its simple
 * children. Returns an error response when it is not SOAP.
 * @param {import('../lib.js').MockRequest} req
 */
function parseEnvelope(req) {
  const type = req.headers['content-type'] ?? '';
  const version = type.includes('application/soap+xml') ? 1.2 : type.includes('text/xml') ? 1.1 : null;
  if (!version) return { error: text(415, `Cannot process the message because the content type '${type}' was not the expected type 'text/xml; charset=utf-8'.`) };
  const envNs = version === 1.1 ? SOAP11 : SOAP12;
  if (!req.bodyText.includes(envNs)) return { error: fault(version, 'Client', `Expected a SOAP ${version} envelope (${envNs})`) };
  const body = /<(?:[\w-]+:)?Body[^>]*>([\s\S]*)<\/(?:[\w-]+:)?Body>/.exec(req.bodyText);
  const op = body && /<(?:([\w-]+):)?([\w-]+)([^>]*?)\/?>/.exec(body[1]);
  if (!body || !op) return { error: fault(version, 'Client', 'The SOAP Body is empty or malformed') };
  /** @type {Record<string, string>} */
  const fields = {};
  for (const m of body[1].matchAll(/<(?:[\w-]+:)?([\w-]+)[^>/]*>([^<]*)<\/(?:[\w-]+:)?\1>/g)) fields[m[1]] = m[2].trim();
  const ns = new RegExp(`xmlns(?::${op[1] ?? ''})?="([^"]*)"`).exec(op[3] + ' ' + req.bodyText)?.[1] ?? '';
  const action =
    version === 1.1
      ? (req.headers.soapaction ?? '').replace(/^"|"$/g, '')
      : (/action="([^"]*)"/.exec(type)?.[1] ?? '');
  return { version: /** @type {1.1 | 1.2} */ (version), operation: op[2], namespace: ns, fields, action };
}

/** The operations each service describes: name → [input parts, output parts]. */
const SERVICES = /** @type {Record<string, { namespace: string, auth: boolean, operations: Record<string, [string[], string[]]> }>} */ ({
  OrderService: { namespace: ORDERS_NS, auth: true, operations: { GetOrderStatus: [['OrderId'], ['GetOrderStatusResult']] } },
  tempconvert: {
    namespace: TEMPCONVERT_NS,
    auth: false,
    operations: { CelsiusToFahrenheit: [['Celsius'], ['CelsiusToFahrenheitResult']], FahrenheitToCelsius: [['Fahrenheit'], ['FahrenheitToCelsiusResult']] },
  },
});

/**
 * A document/literal WSDL 1.1 with SOAP 1.1 and 1.2 bindings, in the shape .NET's asmx pages serve.
 * @param {string} name @param {string} location
 */
function wsdl(name, location) {
  const { namespace, operations } = SERVICES[name];
  const ops = Object.entries(operations);
  const elements = ops
    .flatMap(([op, [inputs, outputs]]) => [
      `<s:element name="${op}"><s:complexType><s:sequence>${inputs.map((i) => `<s:element minOccurs="0" maxOccurs="1" name="${i}" type="s:string"/>`).join('')}</s:sequence></s:complexType></s:element>`,
      `<s:element name="${op}Response"><s:complexType><s:sequence>${outputs.map((o) => `<s:element minOccurs="0" maxOccurs="1" name="${o}" type="s:string"/>`).join('')}</s:sequence></s:complexType></s:element>`,
    ])
    .join('');
  const messages = ops
    .map(([op]) => `<wsdl:message name="${op}SoapIn"><wsdl:part name="parameters" element="tns:${op}"/></wsdl:message><wsdl:message name="${op}SoapOut"><wsdl:part name="parameters" element="tns:${op}Response"/></wsdl:message>`)
    .join('');
  const portOps = ops.map(([op]) => `<wsdl:operation name="${op}"><wsdl:input message="tns:${op}SoapIn"/><wsdl:output message="tns:${op}SoapOut"/></wsdl:operation>`).join('');
  const binding = (/** @type {'soap' | 'soap12'} */ prefix, /** @type {string} */ suffix) =>
    `<wsdl:binding name="${name}${suffix}" type="tns:${name}Soap"><${prefix}:binding transport="http://schemas.xmlsoap.org/soap/http"/>${ops
      .map(([op]) => `<wsdl:operation name="${op}"><${prefix}:operation soapAction="${namespace.replace(/\/$/, '')}/${op}" style="document"/><wsdl:input><${prefix}:body use="literal"/></wsdl:input><wsdl:output><${prefix}:body use="literal"/></wsdl:output></wsdl:operation>`)
      .join('')}</wsdl:binding>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="${namespace}" targetNamespace="${namespace}" name="${name}"><wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="${namespace}">${elements}</s:schema></wsdl:types>${messages}<wsdl:portType name="${name}Soap">${portOps}</wsdl:portType>${binding('soap', 'Soap')}${binding('soap12', 'Soap12')}<wsdl:service name="${name}"><wsdl:port name="${name}Soap" binding="tns:${name}Soap"><soap:address location="${esc(location)}"/></wsdl:port><wsdl:port name="${name}Soap12" binding="tns:${name}Soap12"><soap12:address location="${esc(location)}"/></wsdl:port></wsdl:service></wsdl:definitions>`;
}

/** @param {import('../lib.js').MockRequest} req */
function unauthorized(req) {
  const auth = basicAuth(req);
  if (auth && auth.user === SOAP_AUTH.username && auth.pass === SOAP_AUTH.password) return null;
  return html(401, '<html><body><h1>401 - Unauthorized</h1></body></html>', { 'www-authenticate': 'Basic realm="OrderService"' });
}

/** @returns {import('../lib.js').Provider} */
export function createSoapProvider() {
  return {
    name: 'soap',
    prefix: '/soap',
    error: (/** @type {number} */ status) =>
      status === 429
        ? text(429, 'Too many requests')
        : html(status, '<html><body><h1>Server Error</h1><p>The service is temporarily unavailable.</p></body></html>'),
    routes: [
      route('GET', '/soap/:service', (req) => {
        const service = SERVICES[req.params.service];
        if (!service) return html(404, '<html><head><title>404 - File or directory not found.</title></head><body><h1>404 - File or directory not found.</h1></body></html>');
        const denied = service.auth ? unauthorized(req) : null;
        if (denied) return denied;
        // `?wsdl` and `?WSDL` are both served, as .NET and JAX-WS do.
        const wantsWsdl = Object.keys(req.query).some((k) => k.toLowerCase() === 'wsdl');
        return wantsWsdl
          ? { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: wsdl(req.params.service, `${req.origin}${req.path}`) }
          : html(200, `<html><body>${esc(req.params.service)} web service</body></html>`);
      }),
      route('POST', '/soap/OrderService', (req) => {
        const denied = unauthorized(req);
        if (denied) return denied;
        const env = parseEnvelope(req);
        if ('error' in env) return env.error;
        const { version, operation, namespace, fields, action } = env;
        if (action && action !== `${ORDERS_NS}/${operation}`) {
          return fault(version, 'Client', `Server did not recognize the value of HTTP Header SOAPAction: ${action}.`);
        }
        if (operation !== 'GetOrderStatus' || namespace !== ORDERS_NS) {
          return fault(version, 'Client', `Unknown operation {${namespace}}${operation}`);
        }
        const id = fields.OrderId ?? '';
        if (!/^\d+$/.test(id)) return fault(version, 'Client', `Order '${id}' not found`, 'ORDER_NOT_FOUND');
        const status = STATUSES[Number(id) % STATUSES.length];
        const tracking = status === 'SHIPPED' || status === 'DELIVERED' ? `<TrackingNumber>1Z999AA1${id.padStart(10, '0')}</TrackingNumber>` : '';
        return ok(
          version,
          `<GetOrderStatusResponse xmlns="${ORDERS_NS}"><GetOrderStatusResult><OrderId>${esc(id)}</OrderId><Status>${status}</Status><LastUpdated>2024-05-01T12:00:00Z</LastUpdated><Carrier>UPS</Carrier>${tracking}</GetOrderStatusResult></GetOrderStatusResponse>`,
        );
      }),
      route('POST', '/soap/tempconvert', (req) => {
        const env = parseEnvelope(req);
        if ('error' in env) return env.error;
        const { version, operation, fields } = env;
        const convert = {
          CelsiusToFahrenheit: (/** @type {number} */ c) => (c * 9) / 5 + 32,
          FahrenheitToCelsius: (/** @type {number} */ f) => ((f - 32) * 5) / 9,
        };
        if (operation !== 'CelsiusToFahrenheit' && operation !== 'FahrenheitToCelsius') {
          return fault(version, 'Client', `Unknown operation ${operation}`);
        }
        const raw = operation === 'CelsiusToFahrenheit' ? fields.Celsius : fields.Fahrenheit;
        const n = Number(raw);
        const result = raw === undefined || raw === '' || Number.isNaN(n) ? 'Error' : String(Math.round(convert[operation](n) * 1000) / 1000);
        return ok(version, `<${operation}Response xmlns="${TEMPCONVERT_NS}"><${operation}Result>${result}</${operation}Result></${operation}Response>`);
      }),
    ],
  };
}
