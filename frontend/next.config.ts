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
  // `next dev` only (production ignores it): the dev server refuses its own scripts, HMR socket and
  // dev endpoints to an origin it does not know, and knows only localhost. `make dev` prints
  // http://localhost:3000, but http://127.0.0.1:3000 (and [::1]) must work as well: without this the
  // page never hydrates there and "Skip login — dev mode" never appears.
  allowedDevOrigins: ['localhost', '127.0.0.1', '[::1]'],
};

export default nextConfig;
