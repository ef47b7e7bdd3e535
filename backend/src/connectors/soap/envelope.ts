/** SOAP 1.1 / 1.2 envelopes: building requests, reading responses and faults as JSON. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type SoapVersion = '1.1' | '1.2';

const ENVELOPE_NS: Record<SoapVersion, string> = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
};

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `{ OrderId: 1001, Lines: { Sku: ['A', 'B'] } }` as child elements; arrays repeat the element. */
export function parametersToXml(params: Record<string, unknown>): string {
  const element = (name: string, value: unknown): string => {
    if (!/^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/.test(name)) throw new Error(`"${name}" is not a valid XML element name`);
    if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
    if (value === null || value === undefined) return `<${name}/>`;
    if (typeof value === 'object') return `<${name}>${parametersToXml(value as Record<string, unknown>)}</${name}>`;
    return `<${name}>${escapeXml(String(value))}</${name}>`;
  };
  return Object.entries(params)
    .map(([k, v]) => element(k, v))
    .join('');
}

export function buildEnvelope(opts: { version: SoapVersion; body: string; header?: string; namespace?: string; prefix?: string }): string {
  const ns = opts.namespace ? ` xmlns:${opts.prefix ?? 'tns'}="${escapeXml(opts.namespace)}"` : '';
  const header = opts.header ? `<soap:Header>${opts.header}</soap:Header>` : '';
  return `<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="${ENVELOPE_NS[opts.version]}"${ns}>${header}<soap:Body>${opts.body}</soap:Body></soap:Envelope>`;
}

export function contentHeaders(version: SoapVersion, soapAction: string | undefined): Record<string, string> {
  if (version === '1.1') return { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction ?? ''}"` };
  const action = soapAction ? `; action="${soapAction}"` : '';
  return { 'content-type': `application/soap+xml; charset=utf-8${action}` };
}

export interface SoapFault {
  code: string;
  message: string;
  detail?: unknown;
}

export type ParsedSoap = { ok: true; body: Record<string, unknown>; header?: unknown } | { ok: false; fault: SoapFault } | { ok: null };

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

const text = (v: unknown): string =>
  typeof v === 'string' ? v : v && typeof v === 'object' && '#text' in v ? String((v as { '#text': unknown })['#text']) : '';

/** Reads a SOAP answer; `ok: null` when the text is not a SOAP envelope at all. */
export function parseSoapResponse(xml: string): ParsedSoap {
  if (!xml.trim().startsWith('<') || XMLValidator.validate(xml) !== true) return { ok: null };
  const doc = parser.parse(xml) as { Envelope?: { Body?: unknown; Header?: unknown } };
  const env = doc.Envelope;
  if (!env || typeof env !== 'object' || !('Body' in env)) return { ok: null };
  const body = (env.Body && typeof env.Body === 'object' ? env.Body : {}) as Record<string, unknown>;
  const fault = body.Fault as Record<string, unknown> | undefined;
  if (fault) {
    // 1.1: faultcode / faultstring / detail; 1.2: Code/Value, Reason/Text, Detail.
    const code = text(fault.faultcode) || text((fault.Code as Record<string, unknown> | undefined)?.Value);
    const reason = (fault.Reason as Record<string, unknown> | undefined)?.Text;
    const message = text(fault.faultstring) || text(Array.isArray(reason) ? reason[0] : reason);
    return { ok: false, fault: { code: code.replace(/^[\w-]+:/, ''), message, detail: fault.detail ?? fault.Detail } };
  }
  return { ok: true, body, header: env.Header };
}
