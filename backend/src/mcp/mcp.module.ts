import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { LiveModule } from '../live/live.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { ExecutionWaiter } from './execution-waiter.js';
import { McpEventFeed } from './mcp-event-feed.js';
import { McpRoute } from './mcp-route.js';
import { McpSessions } from './mcp-sessions.js';
import { McpToolCalls } from './mcp-tool-calls.js';
import { McpTools } from './mcp-tools.js';

/**
 * The MCP server (`/mcp`, docs/mcp.md): a workspace's workflows marked as tools, offered to MCP
 * clients that authenticate with an API key. The api's only: the worker does not load it.
 */
@Module({
  imports: [AuthModule, ExecutionsCoreModule, LiveModule, WorkflowsModule],
  providers: [McpEventFeed, McpTools, ExecutionWaiter, McpToolCalls, McpSessions, McpRoute],
})
export class McpModule {}
