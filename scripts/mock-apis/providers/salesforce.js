// @ts-check
/**
 * Salesforce REST API v60.0 under /salesforce (the credential's instance URL): create sObject
 * records, run simple SOQL (`SELECT f1, f2 FROM Type [WHERE F = 'v'] [LIMIT n]`) and read the org's
 * limits (`GET …/limits`, what "Test connection" reads; DailyApiRequests counts the calls made since
 * the last reset). Errors are arrays of `{ message, errorCode }`, as Salesforce answers them.
 */
import { bodyObject, json, makeId, route, schemeToken } from '../lib.js';
import { bearerFromOAuth } from './oauth.js';

export const SALESFORCE = { accessToken: '00DMOCK000000000001!mock-salesforce-access-token' };
const API = '/salesforce/services/data/v60.0';
const ID_PREFIX = /** @type {Record<string, string>} */ ({ Account: '001', Contact: '003', Lead: '00Q', Opportunity: '006', Case: '500' });
const FIELDS = /** @type {Record<string, string[]>} */ ({
  Account: ['Name', 'Industry', 'Phone', 'Website', 'BillingCity', 'NumberOfEmployees', 'Description'],
  Contact: ['FirstName', 'LastName', 'Email', 'Phone', 'AccountId', 'Title'],
  Lead: ['FirstName', 'LastName', 'Company', 'Email', 'Status'],
  Opportunity: ['Name', 'StageName', 'CloseDate', 'Amount', 'AccountId'],
  Case: ['Subject', 'Status', 'Priority', 'Origin', 'Description'],
});
const REQUIRED = /** @type {Record<string, string[]>} */ ({ Account: ['Name'], Contact: ['LastName'], Lead: ['LastName', 'Company'], Opportunity: ['Name', 'StageName', 'CloseDate'], Case: [] });
/** A Developer Edition org's allocations (a subset of what `/limits` lists). */
const DAILY_API_REQUESTS = 15000;

/** @param {number} status @param {string} errorCode @param {string} message @param {string[]} [fields] */
const sfError = (status, errorCode, message, fields) => json(status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);

/** @returns {import('../lib.js').Provider} */
export function createSalesforceProvider() {
  /** @type {Map<string, Record<string, unknown>[]>} */
  const records = new Map();
  let seq = 0;
  /** Authenticated API calls since the last reset, as DailyApiRequests counts them. */
  let apiCalls = 0;
  const seed = () => {
    records.clear();
    seq = 0;
    apiCalls = 0;
    for (const [Name, Industry] of [['Acme Corporation', 'Manufacturing'], ['Globex', 'Energy']]) insert('Account', { Name, Industry });
  };
  /** @param {string} type @param {Record<string, unknown>} fields */
  const insert = (type, fields) => {
    seq++;
    const Id = makeId(ID_PREFIX[type] + 'MK0000', seq, 9).slice(0, 18);
    const list = records.get(type) ?? [];
    list.push({ Id, ...fields, CreatedDate: new Date().toISOString() });
    records.set(type, list);
    return Id;
  };
  seed();

  /** @param {import('../lib.js').MockRequest} req */
  const unauthorized = (req) => {
    // The fixed sample token, or one the mock's Salesforce OAuth2 server issued (and has not expired).
    if (schemeToken(req, 'Bearer') !== SALESFORCE.accessToken && !bearerFromOAuth(req, '/salesforce/services/oauth2').token) return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    apiCalls++;
    return null;
  };
  /** @param {number} max @param {number} used */
  const limit = (max, used = 0) => ({ Max: max, Remaining: Math.max(0, max - used) });

  return {
    name: 'salesforce',
    prefix: '/salesforce',
    reset: seed,
    error: (/** @type {number} */ status, /** @type {string} */ message) =>
      status === 429 ? sfError(429, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.') : sfError(status, 'UNKNOWN_EXCEPTION', message),
    routes: [
      route('GET', `${API}/limits`, (req) => {
        const denied = unauthorized(req);
        if (denied) return denied;
        return json(200, {
          ConcurrentAsyncGetReportInstances: limit(200),
          ConcurrentSyncReportRuns: limit(20),
          DailyApiRequests: limit(DAILY_API_REQUESTS, apiCalls),
          DailyAsyncApexExecutions: limit(250000),
          DailyBulkApiBatches: limit(15000),
          DailyBulkV2QueryJobs: limit(10000),
          DailyStreamingApiEvents: limit(10000),
          DataStorageMB: limit(5),
          FileStorageMB: limit(20),
          HourlyODataCallout: limit(10000),
          SingleEmail: limit(15),
        });
      }),
      route('POST', `${API}/sobjects/:type`, (req) => {
        const denied = unauthorized(req);
        if (denied) return denied;
        const type = req.params.type;
        if (!FIELDS[type]) return sfError(404, 'NOT_FOUND', `The requested resource does not exist`);
        const body = bodyObject(req);
        for (const f of Object.keys(body)) {
          if (!FIELDS[type].includes(f)) return sfError(400, 'INVALID_FIELD', `No such column '${f}' on sobject of type ${type}`, []);
        }
        const missing = REQUIRED[type].filter((f) => body[f] === undefined || body[f] === '');
        if (missing.length) return sfError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
        return json(201, { id: insert(type, body), success: true, errors: [] });
      }),
      route('GET', `${API}/sobjects/:type/:id`, (req) => {
        const denied = unauthorized(req);
        if (denied) return denied;
        const rec = (records.get(req.params.type) ?? []).find((r) => r.Id === req.params.id);
        if (!rec) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        return json(200, { attributes: { type: req.params.type, url: `/services/data/v60.0/sobjects/${req.params.type}/${rec.Id}` }, ...rec });
      }),
      route('GET', `${API}/query`, (req) => {
        const denied = unauthorized(req);
        if (denied) return denied;
        const q = req.query.q ?? '';
        const m = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(\w+)\s*=\s*'([^']*)')?(?:\s+LIMIT\s+(\d+))?\s*$/i.exec(q);
        if (!m) return sfError(400, 'MALFORMED_QUERY', `unexpected token in query: '${q.slice(0, 60)}'`);
        const [, fieldList, type, whereField, whereValue, limit] = m;
        if (!FIELDS[type]) return sfError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
        const fields = fieldList.split(',').map((f) => f.trim());
        const bad = fields.find((f) => f !== 'Id' && f !== 'CreatedDate' && !FIELDS[type].includes(f));
        if (bad) return sfError(400, 'INVALID_FIELD', `No such column '${bad}' on entity '${type}'.`);
        let rows = records.get(type) ?? [];
        if (whereField) rows = rows.filter((r) => String(r[whereField] ?? '') === whereValue);
        if (limit) rows = rows.slice(0, Number(limit));
        const out = rows.map((r) => ({
          attributes: { type, url: `/services/data/v60.0/sobjects/${type}/${r.Id}` },
          ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])),
        }));
        return json(200, { totalSize: out.length, done: true, records: out });
      }),
    ],
  };
}
