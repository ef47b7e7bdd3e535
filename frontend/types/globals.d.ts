/// <reference types="next" />
/// <reference types="next/image-types/global" />

// Side-effect stylesheet imports (app/layout.tsx); Next bundles them.
declare module '*.css';
