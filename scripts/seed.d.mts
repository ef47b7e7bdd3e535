/** Types of scripts/seed.mjs for the TypeScript tests that run it. */
export declare const DEMO_EMAIL: string;
export declare const DEMO_PASSWORD: string;
export declare const APPROVAL_DEMO: string;
export declare function seedDemo(
  api: string,
  mockUrl: string,
): Promise<{ summary: string; approval: { workflowId: string; executionId: string | null } | null }>;
