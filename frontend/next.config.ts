import path from 'node:path';
import type { NextConfig } from 'next';

// The workspace root holds the shared node_modules: trace dependencies and resolve from there.
const workspaceRoot = path.join(__dirname, '..');

const nextConfig: NextConfig = {
  // A self-contained server in .next/standalone, so a Docker image needs no node_modules of its own.
  output: 'standalone',
  reactStrictMode: true,
  poweredByHeader: false,
  outputFileTracingRoot: workspaceRoot,
  turbopack: { root: workspaceRoot },
};

export default nextConfig;
