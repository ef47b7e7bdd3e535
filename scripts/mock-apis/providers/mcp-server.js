// @ts-check
/**
 * A small MCP server (Streamable HTTP, stateless, JSON responses) at `/mcp/mcp`, built with the
 * official SDK, for the MCP client step's and the agent step's tests and the offline demo. Tools:
 * - `lookup_order` `{ orderId }`: the order (status, customer, total), as text and structured content;
 * - `add` `{ a, b }`: their sum;
 * - `fail` `{ reason }`: a tool error (`isError: true`).
 * `Authorization: Bearer invalid` is refused with 401; no header or any other token is accepted.
 * Test controls: `GET /mcp/__stats` → `{ calls: { <tool>: n } }` (reset with the mock).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export const MCP_SERVER_PREFIX = '/mcp';

export function createMcpServerMock() {
  /** @type {Record<string, number>} */
  const calls = {};
  const count = (/** @type {string} */ name) => (calls[name] = (calls[name] ?? 0) + 1);

  const build = () => {
    const server = new McpServer({ name: 'tributary-mock-mcp', version: '1.0.0' });
    server.registerTool(
      'lookup_order',
      { title: 'Look up an order', description: 'The status, customer and total of an order by its id', inputSchema: { orderId: z.string().describe('The order id, e.g. 1001') } },
      async ({ orderId }) => {
        count('lookup_order');
        const order = { orderId, status: 'shipped', customer: 'Ada Lovelace', total: 42.5 };
        return { content: [{ type: 'text', text: JSON.stringify(order) }], structuredContent: order };
      },
    );
    server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => {
      count('add');
      return { content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } };
    });
    server.registerTool('fail', { description: 'Always fails (for tests)', inputSchema: { reason: z.string().optional() } }, async ({ reason }) => {
      count('fail');
      return { content: [{ type: 'text', text: `failed: ${reason ?? 'no reason'}` }], isError: true };
    });
    return server;
  };

  return {
    prefix: MCP_SERVER_PREFIX,
    reset() {
      for (const k of Object.keys(calls)) delete calls[k];
    },
    /**
     * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
     * @param {string} path @param {string} bodyText
     */
    async handle(req, res, path, bodyText) {
      if (path === `${MCP_SERVER_PREFIX}/__stats`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ calls }));
        return;
      }
      // `/mcp/mcp`, or `/mcp` itself (where CONNECTOR_MCP_BASE_URL points a connection).
      if (path !== `${MCP_SERVER_PREFIX}/mcp` && path !== MCP_SERVER_PREFIX) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `No route for ${req.method} ${path}` }));
        return;
      }
      if (/^Bearer\s+invalid$/i.test(req.headers.authorization ?? '')) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Invalid token' }, id: null }));
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed (stateless server)' }, id: null }));
        return;
      }
      const server = build();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      let body;
      try {
        body = bodyText ? JSON.parse(bodyText) : undefined;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }));
        return;
      }
      await transport.handleRequest(req, res, body);
    },
  };
}
