/** Types of what the backend's tests import from scripts/lib/platform.mjs. */
/** The node flags the worker runs with everywhere (docker-compose.yml, backend/package.json, the scripts). */
export declare const WORKER_NODE_ARGS: string[];
